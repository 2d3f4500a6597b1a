"""The dispatcher board page: queue by urgency, suggestions, overrides with a reason."""

from datetime import time
from decimal import Decimal

import pytest
from django.urls import reverse

from baoxiu.areas.services import coverage_import
from baoxiu.catalog.choices import Priority
from baoxiu.core import queue
from baoxiu.dispatch.models import DispatchAlert
from baoxiu.tickets.choices import EventType, TicketStatus
from baoxiu.tickets.models import Ticket
from tests.factories import (
    PASSWORD,
    FaultTypeFactory,
    OutletFactory,
    TechnicianFactory,
    make_ticket,
)

pytestmark = pytest.mark.django_db
ALL_DAY = {"work_start": time(0, 0), "work_end": time(23, 59, 59), "break_minutes": 0}


@pytest.fixture
def network(settings):
    settings.DISPATCH_MODE = "suggest"
    outlet = OutletFactory(code="SZ01", name="南山网点", area_code="440305")
    coverage_import(outlet=outlet, text="深圳市南山区")
    near = TechnicianFactory(
        outlet=outlet,
        name="近师傅",
        home_longitude=Decimal("113.935"),
        home_latitude=Decimal("22.535"),
        **ALL_DAY,
    )
    far = TechnicianFactory(
        outlet=outlet,
        name="远师傅",
        home_longitude=Decimal("114.2"),
        home_latitude=Decimal("22.6"),
        **ALL_DAY,
    )
    return near, far


def board(client):
    response = client.get(reverse("console:dispatch"))
    assert response.status_code == 200
    return response.content.decode()


def test_queue_is_ordered_by_the_nearest_deadline(client, dispatcher, network, fault_type):
    normal = make_ticket(fault_type=fault_type, phone="13900000001")
    emergency = make_ticket(
        fault_type=FaultTypeFactory(code="locked", priority=Priority.EMERGENCY), phone="13900000002"
    )
    queue.work(burst=True)
    client.login(username=dispatcher.username, password=PASSWORD)
    body = board(client)
    assert body.index(emergency.code) < body.index(normal.code)
    assert "近师傅" in body and 'data-due="' in body and "<svg" in body


def test_one_click_assign_of_the_top_suggestion(client, dispatcher, network, fault_type):
    near, _far = network
    ticket = make_ticket(fault_type=fault_type)
    queue.work(burst=True)
    client.login(username=dispatcher.username, password=PASSWORD)
    ticket.refresh_from_db()
    response = client.post(
        reverse("console:ticket_action", args=[ticket.code]),
        {
            "action": "assign",
            "technician": near.pk,
            "version": ticket.version,
            "next": reverse("console:dispatch"),
        },
    )
    assert response.status_code == 302 and response.url == reverse("console:dispatch")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.technician_id) == (TicketStatus.ASSIGNED, near.pk)
    assert f'data-testid="queue-item" data-code="{ticket.code}"' not in board(client)


def test_override_needs_a_reason(client, dispatcher, network, fault_type):
    _near, far = network
    ticket = make_ticket(fault_type=fault_type)
    queue.work(burst=True)
    client.login(username=dispatcher.username, password=PASSWORD)
    ticket.refresh_from_db()
    url = reverse("console:ticket_action", args=[ticket.code])
    form = {"action": "assign", "technician": far.pk, "version": ticket.version}
    refused = client.post(url, form, follow=True)
    assert "未选择系统推荐的师傅，请填写改派原因。" in refused.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.DISPATCHING

    client.post(url, {**form, "note": "客户指定这位师傅"})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.technician_id) == (TicketStatus.ASSIGNED, far.pk)
    assert ticket.events.get(type=EventType.ASSIGNED).note == "改派：客户指定这位师傅"


def test_alerts_show_and_can_be_acknowledged(client, dispatcher, fault_type):
    ticket = make_ticket(fault_type=fault_type)
    queue.work(burst=True)  # no technicians at all: an alert
    alert = DispatchAlert.objects.get(ticket=ticket)
    client.login(username=dispatcher.username, password=PASSWORD)
    assert alert.message in board(client)
    client.post(reverse("console:alert_ack", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.acknowledged_by == dispatcher
    assert alert.message not in board(client)


def test_board_refresh_is_a_partial_and_area_filter_works(client, dispatcher, network, fault_type):
    ticket = make_ticket(fault_type=fault_type)
    client.login(username=dispatcher.username, password=PASSWORD)
    partial = client.get(reverse("console:dispatch"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and ticket.code in partial
    elsewhere = client.get(reverse("console:dispatch"), {"area": "2105"}).content.decode()
    assert ticket.code not in elsewhere and "近师傅" not in elsewhere
    here = client.get(reverse("console:dispatch"), {"area": "4403"}).content.decode()
    assert ticket.code in here and "近师傅" in here


def test_board_lists_work_on_the_way_with_eta(client, dispatcher, network, fault_type):
    from django.utils import timezone

    from baoxiu.dispatch.assignment import ticket_eta, ticket_etas
    from baoxiu.tickets.transitions import ticket_transition

    near, _far = network
    ticket = make_ticket(fault_type=fault_type)
    ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=near)
    now = timezone.now()
    batch = ticket_etas(
        [Ticket.objects.select_related("address", "technician").get(pk=ticket.pk)], now=now
    )
    single = ticket_eta(Ticket.objects.get(pk=ticket.pk), now=now)
    # The board's batch estimate and the tracking page's agree within a minute.
    assert abs((batch[ticket.pk] - single).total_seconds()) < 60
    client.login(username=dispatcher.username, password=PASSWORD)
    body = board(client)
    later = ticket_etas([Ticket.objects.select_related("address", "technician").get(pk=ticket.pk)])
    shown = {
        f'<td data-testid="eta">{timezone.localtime(t):%H:%M}</td>'
        for t in (batch[ticket.pk], later[ticket.pk])
    }
    assert 'data-testid="on-the-way"' in body and any(cell in body for cell in shown)
