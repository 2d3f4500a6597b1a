"""Every SMS and every public page names the official hotline and the verify link."""

from decimal import Decimal

import pytest

from baoxiu.accounts.models import OfficialChannel, Organisation
from baoxiu.core import queue
from baoxiu.notifications.channels.sms.fake import FakeSmsChannel
from baoxiu.notifications.models import Notification
from baoxiu.notifications.services import render_text
from baoxiu.notifications.templates_text import MESSAGES
from baoxiu.pricing.calculator import LineRequest
from baoxiu.quotes.services import PaymentRequest, payment_record, quote_submit
from baoxiu.tickets.choices import TicketStatus
from tests.factories import make_price_list, ticket_at

pytestmark = pytest.mark.django_db
FOOTER = " 官方热线400-000-0101，核实号码或师傅：https://service.example/verify/"


@pytest.fixture(autouse=True)
def _public_base(settings):
    settings.PUBLIC_BASE_URL = "https://service.example"


@pytest.fixture
def organisation(db):
    org = Organisation.objects.create(name="千锁售后", brand="千锁")
    OfficialChannel.objects.create(organisation=org, kind="hotline", value="400-000-0101")
    return org


@pytest.mark.parametrize("template", sorted(MESSAGES))
def test_every_message_template_ends_with_the_official_line(
    template, organisation, fault_type, technician
):
    ticket = ticket_at(TicketStatus.ASSIGNED, fault_type=fault_type, technician=technician)
    text = render_text(Notification(ticket=ticket, template=template))
    assert text.endswith(FOOTER), text


def test_quote_code_sms_ends_with_the_official_line(organisation, fault_type, technician):
    make_price_list(fault_types=[fault_type])
    ticket = ticket_at(TicketStatus.ON_SITE, fault_type=fault_type, technician=technician)
    quote_submit(
        ticket=ticket,
        actor=technician.user,
        requests=[LineRequest(kind="labour", key=fault_type.code)],
        reason="复核",
    )
    queue.work(burst=True)

    texts = [m["text"] for m in FakeSmsChannel.outbox]
    # ticket created, first quote (approved while arranging), this revision
    assert [("验证码" in t, t.endswith(FOOTER)) for t in texts] == [
        (False, True),
        (True, True),
        (True, True),
    ]


def test_every_public_page_shows_the_hotline_and_verify_link(
    client, organisation, fault_type, technician
):
    ticket = ticket_at(TicketStatus.IN_PROGRESS, fault_type=fault_type, technician=technician)
    payment = payment_record(
        ticket=ticket,
        request=PaymentRequest(method="cash", amount=Decimal("110.00")),
        actor=technician.user,
    )
    track = ticket.tracking_path()
    pages = [
        "/",
        "/report/",
        "/coverage/",
        "/privacy/",
        "/prices/",
        "/verify/",
        f"/verify/b/{technician.badge_code}/",
        "/support/chat/",
        track,
        track + "complaint/",
        track + "cancel/",
        track + "rate/",
        payment.receipt_path(),
    ]
    for url in pages:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert 'data-testid="official-footer"' in html, url
        assert 'href="tel:400-000-0101"' in html and 'href="/verify/"' in html, url
