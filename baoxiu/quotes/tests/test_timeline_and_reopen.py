"""Quotes and payment on the ticket's timeline; a reopened ticket needs a new
approval; code resends are rate-limited."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from baoxiu.core import queue
from baoxiu.core.errors import DomainError
from baoxiu.core.models import OneTimeCode
from baoxiu.notifications.channels.sms.fake import FakeSmsChannel
from baoxiu.pricing.calculator import LineRequest
from baoxiu.pricing.models import LockSerial
from baoxiu.quotes.choices import DecisionChannel
from baoxiu.quotes.models import Quote
from baoxiu.quotes.services import (
    CODE_RESENDS_PER_HOUR,
    PaymentRequest,
    payment_record,
    quote_code_resend,
    quote_decide,
    quote_submit,
    ticket_serial_link,
)
from baoxiu.tickets.choices import EventType, TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.selectors import ticket_public_timeline
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import PASSWORD, LockModelFactory

pytestmark = pytest.mark.django_db
QUOTE_EVENTS = (
    EventType.QUOTE_SUBMITTED,
    EventType.QUOTE_APPROVED,
    EventType.QUOTE_REJECTED,
    EventType.QUOTE_VOIDED,
    EventType.PAYMENT_RECORDED,
)


def submit(ticket, technician, reason=""):
    return quote_submit(
        ticket=ticket,
        actor=technician.user,
        requests=[LineRequest(kind="labour", key=ticket.fault_type.code)],
        reason=reason,
    )


def quote_events(ticket):
    return [
        (e.type, e.actor_label, e.note, e.data)
        for e in ticket.events.filter(type__in=QUOTE_EVENTS).order_by("id")
    ]


def sms_code() -> str:
    queue.work(burst=True)
    text = [m["text"] for m in FakeSmsChannel.outbox if "验证码" in m["text"]][-1]
    return text.split("验证码")[1][:6]


def quote_data(n, total="110.00", pay="110.00"):
    return {"quote_number": n, "total": total, "customer_total": pay}


def test_submit_revise_reject_approve_and_pay_are_on_the_timeline(on_site, technician):
    first = submit(on_site, technician)
    quote_decide(quote=first, approve=False, via=DecisionChannel.LINK)
    second = submit(on_site, technician, reason="客户要求复核")
    code = sms_code()
    quote_decide(
        quote=second, approve=True, via=DecisionChannel.CODE, code=code, actor=technician.user
    )
    ticket = ticket_transition(ticket=on_site, action="start_work", actor=technician.user)
    payment_record(
        ticket=ticket,
        request=PaymentRequest(method="wechat", amount=Decimal("110.00")),
        actor=technician.user,
    )

    tech = str(technician.user)
    assert quote_events(on_site) == [
        ("quote_submitted", tech, "第1版，合计¥110.00，客户应付¥110.00", quote_data(1)),
        (
            "quote_rejected",
            "客户",
            "第1版，客户应付¥110.00（客户在查询页确认）",
            {**quote_data(1), "via": "link"},
        ),
        ("quote_submitted", tech, "第2版，合计¥110.00，客户应付¥110.00", quote_data(2)),
        (
            "quote_approved",
            tech,
            "第2版，客户应付¥110.00（客户口述验证码）",
            {**quote_data(2), "via": "code"},
        ),
        (
            "payment_recorded",
            tech,
            "¥110.00，微信支付（第2版报价）",
            {"quote_number": 2, "amount": "110.00", "method": "wechat"},
        ),
    ]
    # The customer sees them too, without a status change.
    public = [e.type for e in ticket_public_timeline(on_site) if e.type in QUOTE_EVENTS]
    assert public == [
        "quote_submitted",
        "quote_rejected",
        "quote_submitted",
        "quote_approved",
        "payment_recorded",
    ]
    assert all(
        (e.from_status, e.to_status) == ("", "")
        for e in on_site.events.filter(type__in=QUOTE_EVENTS)
    )


def test_refused_quote_writes_no_event(on_site, technician):
    submit(on_site, technician)
    with pytest.raises(DomainError) as refused:
        submit(on_site, technician)  # a revision without a reason

    assert refused.value.code == "reason_required"
    assert [e[0] for e in quote_events(on_site)] == ["quote_submitted"]


def test_tracking_page_timeline_shows_version_and_amount(client, on_site, technician):
    quote = submit(on_site, technician)
    quote_decide(quote=quote, approve=True, via=DecisionChannel.LINK)

    html = client.get(on_site.tracking_path()).content.decode()

    assert "<strong>师傅提交报价</strong>" in html
    assert "<strong>客户同意报价</strong>" in html
    assert html.count("第1版报价 · 应付 ¥110.00") == 2


def test_staff_ticket_page_shows_the_quote_events(client, on_site, technician, agent):
    submit(on_site, technician)
    assert client.login(username=agent.username, password=PASSWORD)

    html = client.get(reverse("console:ticket_detail", kwargs={"code": on_site.code})).content
    html = html.decode()

    assert "师傅提交报价" in html and "第1版，合计¥110.00，客户应付¥110.00" in html


def _reopened(on_site, technician, dispatcher, *, paid):
    quote = submit(on_site, technician)
    quote_decide(quote=quote, approve=True, via=DecisionChannel.LINK)
    ticket = ticket_transition(ticket=on_site, action="start_work", actor=technician.user)
    ticket = ticket_transition(ticket=ticket, action="complete", actor=technician.user)
    if paid:
        payment_record(
            ticket=ticket,
            request=PaymentRequest(method="cash", amount=Decimal("110.00")),
            actor=technician.user,
        )
    ticket = ticket_transition(ticket=ticket, action="reopen", actor=dispatcher, note="锁又坏了")
    ticket = ticket_transition(
        ticket=ticket, action="assign", actor=dispatcher, technician=technician
    )
    for action in ("accept", "depart", "arrive"):
        ticket = ticket_transition(ticket=ticket, action=action, actor=technician.user)
    return ticket


@pytest.mark.parametrize("paid", [False, True])
def test_reopened_ticket_needs_a_new_approval_before_work(on_site, technician, dispatcher, paid):
    ticket = _reopened(on_site, technician, dispatcher, paid=paid)

    assert list(Quote.objects.filter(ticket=ticket).values_list("number", "status")) == [
        (1, "reopened")
    ]
    voided = ticket.events.get(type=EventType.QUOTE_VOIDED)
    assert voided.note == "工单重开，第1版报价不再有效，重新上门须重新报价并经客户同意。"
    assert voided.actor == dispatcher
    with pytest.raises(DomainError) as refused:
        ticket_transition(ticket=ticket, action="start_work", actor=technician.user)
    assert refused.value.code == "quote_not_approved"
    assert "工单已重开" in refused.value.message
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.ON_SITE

    # The re-visit quotes again (with a reason); until approved, still no work.
    second = submit(ticket, technician, reason="返修")
    assert second.status == "pending"
    with pytest.raises(DomainError):
        ticket_transition(ticket=ticket, action="start_work", actor=technician.user)
    quote_decide(quote=second, approve=True, via=DecisionChannel.LINK)
    ticket = ticket_transition(ticket=ticket, action="start_work", actor=technician.user)
    assert ticket.status == TicketStatus.IN_PROGRESS


def test_cancel_leaves_a_rejected_quote_alone(on_site, technician, dispatcher):
    quote = submit(on_site, technician)
    quote_decide(quote=quote, approve=False, via=DecisionChannel.LINK)
    ticket = ticket_transition(ticket=on_site, action="cancel", actor=dispatcher, note="不修了")

    assert ticket.status == TicketStatus.CANCELLED
    assert Quote.objects.get(pk=quote.pk).status == "rejected"
    assert not ticket.events.filter(type=EventType.QUOTE_VOIDED).exists()


def test_code_resends_are_limited_per_hour(on_site, technician):
    quote = submit(on_site, technician)
    for _ in range(CODE_RESENDS_PER_HOUR):
        quote_code_resend(quote=quote, actor=technician.user)
    codes = OneTimeCode.objects.count()
    queue.work(burst=True)
    texts = len(FakeSmsChannel.outbox)

    with pytest.raises(DomainError) as limited:
        quote_code_resend(quote=quote, actor=technician.user)

    assert (limited.value.code, limited.value.status) == ("code_resend_limited", 429)
    assert limited.value.message == (
        "验证码已重发3次，请1小时后再试，或请客户在查询页直接确认报价。"
    )
    queue.work(burst=True)
    assert (OneTimeCode.objects.count(), len(FakeSmsChannel.outbox)) == (codes, texts)


def test_resend_limit_is_429_on_the_api_and_chinese_on_the_job_page(client, on_site, technician):
    submit(on_site, technician)
    client.force_login(technician.user)
    url = f"/api/v1/staff/tickets/{on_site.code}/quotes/1/code/resend"
    statuses = [client.post(url).status_code for _ in range(CODE_RESENDS_PER_HOUR)]
    assert statuses == [204] * CODE_RESENDS_PER_HOUR

    refused = client.post(url)

    assert refused.status_code == 429
    assert refused.json()["code"] == "code_resend_limited"
    page = client.post(
        reverse("quotes:job_code", kwargs={"code": on_site.code, "number": 1}),
        {"action": "resend"},
        follow=True,
    )
    assert "验证码已重发3次，请1小时后再试" in page.content.decode()


def test_warranty_revisit_at_zero_still_needs_the_customers_approval(
    on_site, technician, dispatcher
):
    ticket = _reopened(on_site, technician, dispatcher, paid=True)
    model = LockModelFactory(code="a9", warranty_months=24)
    LockSerial.objects.create(
        serial="A9-0001",
        lock_model=model,
        purchased_on=ticket.created_at.date() - timedelta(days=30),
    )
    ticket_serial_link(ticket=ticket, serial="A9-0001", actor=technician.user)

    revisit = submit(ticket, technician, reason="保修返修")

    assert (revisit.number, revisit.customer_total, revisit.status) == (
        2,
        Decimal("0.00"),
        "pending",
    )
    with pytest.raises(DomainError) as refused:
        ticket_transition(ticket=ticket, action="start_work", actor=technician.user)
    assert refused.value.code == "quote_not_approved"
    quote_decide(quote=revisit, approve=True, via=DecisionChannel.LINK)
    assert ticket_transition(ticket=ticket, action="start_work", actor=technician.user).status == (
        TicketStatus.IN_PROGRESS
    )
