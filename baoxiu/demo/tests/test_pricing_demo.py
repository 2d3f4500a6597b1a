"""The demo has a published price list, holidays, serials, and an approved quote
behind every job that started work."""

from decimal import Decimal

import pytest

from baoxiu.catalog.models import FaultType
from baoxiu.demo.services import demo_network_load
from baoxiu.pricing.calculator import price_book, version_in_force
from baoxiu.pricing.models import Holiday, LockSerial
from baoxiu.quotes.models import Quote
from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_demo_prices_serials_and_quotes(db):
    demo_network_load(scale=0.1)

    version = version_in_force()
    assert version is not None and version.number == 1
    national, nanshan = price_book(version, ""), price_book(version, "440305")
    assert {item.key for item in national.of_kind("labour")} == set(
        FaultType.objects.values_list("code", flat=True)
    )
    assert national.get("labour", "locked-out").amount == Decimal("150.00")
    assert nanshan.get("labour", "locked-out").amount == Decimal("200.00")
    assert national.get("callout").amount == Decimal("50.00")
    assert Holiday.objects.filter(name="国庆节").count() == 7
    assert LockSerial.objects.count() == 3 * 8

    worked = Ticket.objects.filter(
        status__in=[TicketStatus.IN_PROGRESS, TicketStatus.COMPLETED, TicketStatus.CLOSED]
    )
    assert worked.exists()
    for ticket in worked:
        latest = ticket.quotes.order_by("-number").first()
        assert latest is not None and latest.status == "approved", ticket.code
        assert latest.created_at == ticket.arrived_at
    assert not Quote.objects.filter(ticket__status=TicketStatus.NEW).exists()
