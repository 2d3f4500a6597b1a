"""Next-day appointment plans: booked windows, skills, shifts, breaks and accepted
visits are kept; the plan is stored and its assignments made the evening before."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from baoxiu.areas.services import coverage_import
from baoxiu.dispatch.dayplan import plan_day, plan_next_day_due, solve_day
from baoxiu.dispatch.engines import Break, Job, Problem, Vehicle
from baoxiu.dispatch.models import DayPlan
from baoxiu.tickets.choices import EventType, TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.services import ticket_appointment_set
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import (
    FaultTypeFactory,
    OutletFactory,
    SkillFactory,
    TechnicianFactory,
    make_ticket,
)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
TOMORROW = date(2026, 12, 1)
WEST = (Decimal("113.930"), Decimal("22.530"))
EAST = (Decimal("114.250"), Decimal("22.720"))
SHIFT = {"work_start": time(9), "work_end": time(18), "break_start": time(12), "break_minutes": 60}


def at(hour, minute=0):
    return datetime.combine(TOMORROW, time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture
def crew(db):
    outlet = OutletFactory(code="SZ", area_code="440305")
    coverage_import(outlet=outlet, text="深圳市")
    west = TechnicianFactory(
        outlet=outlet, name="西", home_longitude=WEST[0], home_latitude=WEST[1], **SHIFT
    )
    east = TechnicianFactory(
        outlet=outlet, name="东", home_longitude=EAST[0], home_latitude=EAST[1], **SHIFT
    )
    return west, east


def booked(fault_type, start_hour, *, phone, hours=2):
    ticket = make_ticket(fault_type=fault_type, phone=phone)
    ticket = ticket_transition(ticket=ticket, action="dispatch")
    return ticket_appointment_set(ticket=ticket, start=at(start_hour), end=at(start_hour + hours))


@pytest.mark.parametrize("engine", ["pyvrp", "vroom"])
def test_plan_keeps_windows_and_assigns_the_evening_before(crew, fault_type, engine, settings):
    settings.DISPATCH_MODE = "auto"
    west, east = crew
    visits = [booked(fault_type, h, phone=f"1390000000{h % 10}") for h in (9, 11, 14, 16)]

    result = plan_day(day=TOMORROW, area="4403", engine=engine, time_limit=1)

    assert (result.visits, result.planned, result.unplanned) == (4, 4, [])
    assert (result.engine, result.fallback) == (engine, "")
    plan = DayPlan.objects.get(day=TOMORROW, area="4403")
    stops = [stop for route in plan.routes for stop in route["stops"]]
    assert sorted(s["code"] for s in stops) == sorted(v.code for v in visits)
    windows = {v.code: (v.appointment_start, v.appointment_end) for v in visits}
    for stop in stops:
        start = datetime.fromisoformat(stop["start"])
        opens, closes = windows[stop["code"]]
        assert opens <= start <= closes
    # Every visit is given to the technician whose route holds it, with the reason.
    owner = {s["ticket_id"]: r["technician_id"] for r in plan.routes for s in r["stops"]}
    for ticket in Ticket.objects.filter(pk__in=[v.pk for v in visits]):
        assert (ticket.status, ticket.technician_id) == (TicketStatus.ASSIGNED, owner[ticket.pk])
        assert ticket.events.get(type=EventType.ASSIGNED).note == "明日计划派单"
    assert sorted(result.assigned) == sorted(windows)
    # The western addresses go to the western technician (35 km apart).
    assert set(owner.values()) == {west.pk}


def test_accepted_visit_stays_and_skills_hold(crew, settings):
    settings.DISPATCH_MODE = "auto"
    west, east = crew
    lock_body = SkillFactory(code="lock-body")
    motor = FaultTypeFactory(code="motor", default_duration_minutes=60)
    motor.required_skills.set([lock_body])
    east.skills.set([lock_body])
    plain = FaultTypeFactory(code="battery", default_duration_minutes=30)
    needs_skill = booked(motor, 10, phone="13900000001")
    accepted = booked(plain, 14, phone="13900000002")
    accepted = ticket_transition(
        ticket=accepted, action="assign", technician=east, note="dispatcher"
    )
    ticket_transition(ticket=accepted, action="accept", actor=east.user)

    result = plan_day(day=TOMORROW, area="4403", engine="pyvrp", time_limit=1)

    assert result.unplanned == []
    needs_skill.refresh_from_db()
    accepted.refresh_from_db()
    assert needs_skill.technician_id == east.pk  # only they hold the skill
    assert (accepted.status, accepted.technician_id) == (TicketStatus.ACCEPTED, east.pk)
    assert accepted.code not in result.assigned


def test_visit_nobody_can_reach_in_its_window_is_listed(crew, fault_type, settings):
    settings.DISPATCH_MODE = "auto"
    late = booked(fault_type, 19, phone="13900000001")  # after every shift

    result = plan_day(day=TOMORROW, area="4403", engine="pyvrp", time_limit=1)

    late.refresh_from_db()
    assert (result.planned, result.unplanned) == (0, [late.code])
    assert (late.status, late.technician_id) == (TicketStatus.DISPATCHING, None)
    assert DayPlan.objects.get(day=TOMORROW).unplanned == [late.code]


def test_suggest_mode_stores_the_plan_and_assigns_nothing(crew, fault_type, settings):
    settings.DISPATCH_MODE = "suggest"
    visit = booked(fault_type, 9, phone="13900000001")

    result = plan_day(day=TOMORROW, area="4403", engine="pyvrp", time_limit=1)

    visit.refresh_from_db()
    assert (result.planned, result.assigned) == (1, [])
    assert (visit.status, visit.technician_id) == (TicketStatus.DISPATCHING, None)
    assert DayPlan.objects.filter(day=TOMORROW).count() == 1


def test_planned_once_in_the_evening_and_replaced_when_planned_again(crew, fault_type, settings):
    settings.DISPATCH_MODE = "suggest"
    settings.DAY_PLAN_ENGINE = "pyvrp"
    settings.DAY_PLAN_SECONDS = 0.5
    booked(fault_type, 9, phone="13900000001")
    evening = datetime.combine(TOMORROW - timedelta(days=1), time(20, 5), tzinfo=SHANGHAI)

    assert plan_next_day_due(now=evening - timedelta(hours=1)) == []  # before 20:00
    first = plan_next_day_due(now=evening)
    again = plan_next_day_due(now=evening + timedelta(minutes=30))

    assert [(r.day, r.area, r.planned) for r in first] == [(TOMORROW, "4403", 1)]
    assert again == []
    plan_day(day=TOMORROW, area="4403", engine="vroom", time_limit=0.5)
    assert DayPlan.objects.get(day=TOMORROW, area="4403").engine == "vroom"


def test_a_batch_plan_whose_break_does_not_fit_is_replanned_with_vroom():
    # One technician, 09:00–13:00, a one-hour break at 11:00 sharp, and three
    # one-hour jobs at its door that must start at 09:00, 10:00 and 11:00. Without
    # the break (the batch engine's view) all three fit; with it, the third cannot.
    hour = 3600
    problem = Problem(
        durations=np.zeros((4, 4), dtype=np.int64),
        vehicles=(
            Vehicle(
                id="t",
                start=0,
                shift=(9 * hour, 13 * hour),
                breaks=(Break(11 * hour, 11 * hour, hour),),
            ),
        ),
        jobs=tuple(
            Job(id=f"j{k}", location=k, service=hour, time_windows=(((8 + k) * hour,) * 2,))
            for k in (1, 2, 3)
        ),
    )

    solution, fallback = solve_day(problem, engine="pyvrp", time_limit=0.5)

    assert fallback == "technician t: the lunch break does not fit the batch plan"
    assert (solution.engine, solution.unassigned) == ("vroom", ("j3",))
    [route] = solution.routes
    assert route.job_ids == ("j1", "j2")
    assert [b.start for b in route.breaks] == [11 * hour]


def test_a_batch_plan_that_keeps_every_break_is_used_with_the_break_scheduled():
    hour = 3600
    problem = Problem(
        durations=np.zeros((3, 3), dtype=np.int64),
        vehicles=(
            Vehicle(
                id="t",
                start=0,
                shift=(9 * hour, 13 * hour),
                breaks=(Break(11 * hour, 12 * hour, hour),),
            ),
        ),
        jobs=tuple(
            Job(id=f"j{k}", location=k, service=hour, time_windows=((9 * hour, 9 * hour + 1),))
            if k == 1
            else Job(id=f"j{k}", location=k, service=hour)
            for k in (1, 2)
        ),
    )

    solution, fallback = solve_day(problem, engine="pyvrp", time_limit=0.5)

    assert (fallback, solution.engine, solution.unassigned) == ("", "pyvrp", ())
    [route] = solution.routes
    assert sorted(route.job_ids) == ["j1", "j2"]
    assert len(route.breaks) == 1 and 11 * hour <= route.breaks[0].start <= 12 * hour
