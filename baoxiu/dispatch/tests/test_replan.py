"""Periodic re-optimisation: better plans are adopted, pinned work never moves,
and small gains do not churn technicians."""

from datetime import time
from decimal import Decimal

import pytest

from baoxiu.areas.services import coverage_import
from baoxiu.dispatch.replan import areas_with_open_work, replan_area
from baoxiu.tickets.choices import EventType, TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import OutletFactory, TechnicianFactory, make_ticket

pytestmark = pytest.mark.django_db
ALL_DAY = {"work_start": time(0, 0), "work_end": time(23, 59, 59), "break_minutes": 0}
# Two corners of 深圳, ~35 km apart; the tickets' addresses resolve to 南山区 (west).
WEST = (Decimal("113.930"), Decimal("22.530"))
EAST = (Decimal("114.250"), Decimal("22.720"))


@pytest.fixture
def crew(db):
    outlet = OutletFactory(code="SZ", area_code="440305")
    coverage_import(outlet=outlet, text="深圳市")
    west = TechnicianFactory(
        outlet=outlet, name="西", home_longitude=WEST[0], home_latitude=WEST[1], **ALL_DAY
    )
    east = TechnicianFactory(
        outlet=outlet, name="东", home_longitude=EAST[0], home_latitude=EAST[1], **ALL_DAY
    )
    return west, east


def assign(ticket, technician, dispatcher):
    return ticket_transition(
        ticket=ticket, action="assign", actor=dispatcher, technician=technician
    )


def test_a_clearly_better_plan_moves_assigned_work(crew, fault_type, dispatcher):
    west, east = crew
    # Given two west-side jobs both given to the technician in the east.
    first = assign(make_ticket(fault_type=fault_type, phone="13900000001"), east, dispatcher)
    second = assign(make_ticket(fault_type=fault_type, phone="13900000002"), east, dispatcher)

    result = replan_area(area="4403", engine="vroom", time_limit=0.5)

    assert result.adopted, result
    assert result.planned_seconds < result.current_seconds
    owners = dict(
        Ticket.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "technician")
    )
    assert west.pk in owners.values()
    moved = Ticket.objects.get(code=result.moved[0])
    assert moved.events.filter(type=EventType.UNASSIGNED).count() == 1
    assert moved.events.latest("id").note == "重新优化改派"


def test_pinned_work_never_moves(crew, fault_type, dispatcher):
    _west, east = crew
    ticket = assign(make_ticket(fault_type=fault_type), east, dispatcher)
    ticket_transition(ticket=ticket, action="accept", actor=east.user)

    result = replan_area(area="4403", engine="vroom", time_limit=0.5)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.technician_id) == (TicketStatus.ACCEPTED, east.pk)
    assert result.moved == []


def test_small_gains_do_not_churn(crew, fault_type, dispatcher):
    west, _east = crew
    ticket = assign(make_ticket(fault_type=fault_type), west, dispatcher)  # already the best

    result = replan_area(area="4403", engine="vroom", time_limit=0.5)

    assert (result.adopted, result.moved) == (False, [])
    assert result.reason == "current plan kept: the gain is not worth the churn"
    ticket.refresh_from_db()
    assert ticket.technician_id == west.pk
    assert ticket.events.filter(type=EventType.UNASSIGNED).count() == 0


def test_waiting_work_is_placed_in_auto_mode_only(crew, fault_type, settings):
    west, _east = crew
    settings.DISPATCH_MODE = "suggest"
    ticket = make_ticket(fault_type=fault_type)
    assert replan_area(area="4403", engine="vroom", time_limit=0.5).placed == []
    settings.DISPATCH_MODE = "auto"
    result = replan_area(area="4403", engine="vroom", time_limit=0.5)
    ticket.refresh_from_db()
    assert (result.placed, ticket.technician_id) == ([ticket.code], west.pk)


def test_areas_with_open_work(crew, fault_type):
    assert areas_with_open_work() == []
    make_ticket(fault_type=fault_type)
    assert areas_with_open_work() == ["4403"]


def test_two_jobs_under_way_for_one_technician_still_plan(crew, fault_type, dispatcher):
    _west, east = crew
    tickets = [make_ticket(fault_type=fault_type, phone=f"1390000001{i}") for i in range(2)]
    plans = (["accept", "depart", "arrive"], ["accept", "depart"])
    for ticket, steps in zip(tickets, plans, strict=True):
        ticket = assign(ticket, east, dispatcher)
        for step in steps:
            ticket = ticket_transition(ticket=ticket, action=step, actor=east.user)

    result = replan_area(area="4403", engine="vroom", time_limit=0.5)

    assert result.moved == [] and result.jobs == 2
    assert set(Ticket.objects.values_list("technician", flat=True)) == {east.pk}
