"""Next-day appointment plans: tomorrow's booked visits routed in one batch.

Every evening (``dispatch.plan_next_day``, from ``DAY_PLAN_HOUR``) each city
with visits booked for the next day gets one plan: the technicians working
that day as vehicles leaving home at the start of their shift, every booked
visit as a job that must start inside its booked window, with the fault's
duration and required skills. A visit a technician has already accepted
stays theirs (pinned); visits merely assigned or still waiting may go to
whoever fits the day best.

The batch engine (``settings.DAY_PLAN_ENGINE``, PyVRP by default: the
strongest solver on the VRPTW benchmarks, with the evening to spend) has no
breaks, so it plans the day without them and every route it returns is then
scheduled again with the technician's lunch break by the shared schedule
(:func:`~baoxiu.dispatch.engines.base.plan_route`). If any break does not
fit, VROOM — which places breaks itself — plans the whole day instead, and
the stored plan says so.

The plan is stored (:class:`~baoxiu.dispatch.models.DayPlan`, one per day and
city, replaced when planned again) with every stop's planned arrival, and in
``auto`` mode its assignments are made the evening before, so each
technician sees tomorrow's order and each customer keeps their booked window.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baoxiu.core.errors import DomainError
from baoxiu.dispatch.choices import DispatchMode
from baoxiu.dispatch.engines import Break, Job, Problem, Vehicle, get_engine
from baoxiu.dispatch.engines.base import plan_route
from baoxiu.dispatch.replan import PRIORITY_WEIGHT
from baoxiu.dispatch.travel import travel_matrix
from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ticket_transition
from baoxiu.workforce.models import Technician

logger = logging.getLogger(__name__)

PLANNABLE = (TicketStatus.DISPATCHING, TicketStatus.ASSIGNED, TicketStatus.ACCEPTED)
PINNED = (TicketStatus.ACCEPTED,)
BREAK_SLACK = timedelta(minutes=30)  # the lunch break may start up to this late


@dataclass
class DayPlanResult:
    day: date
    area: str
    engine: str = ""
    technicians: int = 0
    visits: int = 0
    planned: int = 0
    unplanned: list[str] = field(default_factory=list)  # ticket codes
    assigned: list[str] = field(default_factory=list)  # ticket codes given to a technician
    fallback: str = ""  # why the batch engine's plan was not used
    routes: list[dict] = field(default_factory=list)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.get_current_timezone())


def booked_visits(*, day: date, area: str = "") -> list[Ticket]:
    """Open tickets with a visit booked on ``day`` (local), placed on the map."""
    start = _midnight(day)
    return list(
        Ticket.objects.filter(
            status__in=PLANNABLE,
            appointment_start__gte=start,
            appointment_start__lt=start + timedelta(days=1),
            address__area_code__startswith=area,
            address__longitude__isnull=False,
        )
        .select_related("address", "fault_type", "technician")
        .prefetch_related("fault_type__required_skills")
        .order_by("appointment_start", "id")
    )


def _seconds(at: datetime, origin: datetime) -> int:
    return max(0, int((at - origin).total_seconds()))


def _problem(day: date, technicians: list[Technician], visits: list[Ticket]) -> Problem:
    origin = _midnight(day)
    points = [(float(t.home_longitude), float(t.home_latitude)) for t in technicians] + [
        (float(v.address.longitude), float(v.address.latitude)) for v in visits
    ]
    durations = travel_matrix(np.array(points), np.array(points)).durations_s.astype(np.int64)
    vehicles = []
    for index, tech in enumerate(technicians):
        start = _seconds(datetime.combine(day, tech.work_start, tzinfo=origin.tzinfo), origin)
        end = _seconds(datetime.combine(day, tech.work_end, tzinfo=origin.tzinfo), origin)
        breaks = ()
        if tech.break_minutes:
            at = _seconds(datetime.combine(day, tech.break_start, tzinfo=origin.tzinfo), origin)
            slack = int(BREAK_SLACK.total_seconds())
            breaks = (Break(at, at + slack, tech.break_minutes * 60),)
        vehicles.append(
            Vehicle(
                id=str(tech.pk),
                start=index,
                skills=frozenset(s.pk for s in tech.skills.all()),
                shift=(start, end),
                breaks=breaks,
            )
        )
    working = {str(t.pk) for t in technicians}
    jobs = []
    for offset, visit in enumerate(visits):
        holder = str(visit.technician_id) if visit.technician_id else None
        window = (
            _seconds(visit.appointment_start, origin),
            _seconds(visit.appointment_end or visit.appointment_start, origin),
        )
        jobs.append(
            Job(
                id=str(visit.pk),
                location=len(technicians) + offset,
                service=visit.fault_type.default_duration_minutes * 60,
                skills=frozenset(s.pk for s in visit.fault_type.required_skills.all()),
                priority=PRIORITY_WEIGHT.get(visit.priority, 20),
                time_windows=(window,),
                pinned_vehicle=holder if visit.status in PINNED and holder in working else None,
            )
        )
    return Problem(durations=durations, vehicles=tuple(vehicles), jobs=tuple(jobs))


def solve_day(problem: Problem, *, engine: str, time_limit: float):
    """(solution, fallback reason). A breakless engine's routes must keep every break."""
    without_breaks = replace(
        problem, vehicles=tuple(replace(v, breaks=()) for v in problem.vehicles)
    )
    has_breaks = any(v.breaks for v in problem.vehicles)
    solver = get_engine(engine)
    if engine != "pyvrp" or not has_breaks:
        return solver.solve(problem, time_limit=time_limit), ""
    solution = solver.solve(without_breaks, time_limit=time_limit)
    for route in solution.routes:
        vehicle = next(v for v in problem.vehicles if v.id == route.vehicle_id)
        _route, dropped = plan_route(problem, vehicle, route.job_ids)
        if dropped:
            reason = f"technician {vehicle.id}: the lunch break does not fit the batch plan"
            return get_engine("vroom").solve(problem, time_limit=time_limit), reason
    # Re-schedule with the breaks so the stored times include them.
    routes = []
    for route in solution.routes:
        vehicle = next(v for v in problem.vehicles if v.id == route.vehicle_id)
        scheduled, _dropped = plan_route(problem, vehicle, route.job_ids)
        routes.append(scheduled)
    return replace(solution, routes=tuple(routes)), ""


def plan_day(
    *, day: date, area: str, engine: str = "", time_limit: float | None = None
) -> DayPlanResult:
    """Plan the visits booked on ``day`` in one city (division-code prefix ``area``).

    Side effects: the DayPlan row for (day, area) is created or replaced; in
    ``auto`` mode waiting visits are assigned and merely assigned ones moved
    to the technician the plan gives them (unassign + assign on the timeline).
    A ticket changed meanwhile is left as it is.
    """
    from baoxiu.dispatch.models import DayPlan

    engine = engine or settings.DAY_PLAN_ENGINE
    time_limit = settings.DAY_PLAN_SECONDS if time_limit is None else time_limit
    result = DayPlanResult(day=day, area=area, engine=engine)
    visits = booked_visits(day=day, area=area)
    technicians = list(
        Technician.objects.filter(
            active=True, user__is_active=True, outlet__area_code__startswith=area
        )
        .select_related("outlet")
        .prefetch_related("skills")
        .order_by("pk")
    )
    result.technicians, result.visits = len(technicians), len(visits)
    if not visits or not technicians:
        result.unplanned = [v.code for v in visits]
        return result

    problem = _problem(day, technicians, visits)
    solution, result.fallback = solve_day(problem, engine=engine, time_limit=time_limit)
    result.engine = solution.engine
    by_id = {str(v.pk): v for v in visits}
    origin = _midnight(day)
    owner = {}
    for route in solution.routes:
        stops = []
        for stop in route.stops:
            visit = by_id[stop.job_id]
            owner[stop.job_id] = route.vehicle_id
            stops.append(
                {
                    "ticket_id": visit.pk,
                    "code": visit.code,
                    "arrive": (origin + timedelta(seconds=stop.arrival)).isoformat(),
                    "start": (origin + timedelta(seconds=stop.service_start)).isoformat(),
                }
            )
        result.routes.append({"technician_id": int(route.vehicle_id), "stops": stops})
    result.planned = len(owner)
    result.unplanned = [by_id[j].code for j in solution.unassigned]

    with transaction.atomic():
        DayPlan.objects.update_or_create(
            day=day,
            area=area,
            defaults={
                "engine": result.engine,
                "fallback": result.fallback,
                "created_at": timezone.now(),
                "routes": result.routes,
                "unplanned": result.unplanned,
            },
        )
    if settings.DISPATCH_MODE == DispatchMode.AUTO:
        _adopt(result, by_id, owner, technicians)
    return result


def _adopt(result: DayPlanResult, by_id, owner, technicians) -> None:
    techs = {str(t.pk): t for t in technicians}
    for job_id, vehicle_id in owner.items():
        ticket = by_id[job_id]
        if ticket.status in PINNED or str(ticket.technician_id) == vehicle_id:
            continue
        try:
            with transaction.atomic():
                if ticket.status == TicketStatus.ASSIGNED:
                    ticket = ticket_transition(
                        ticket=ticket, action="unassign", note=_("明日计划：改派")
                    )
                ticket_transition(
                    ticket=ticket,
                    action="assign",
                    technician=techs[vehicle_id],
                    note=_("明日计划派单"),
                )
            result.assigned.append(ticket.code)
        except DomainError as exc:  # changed meanwhile: the plan leaves it alone
            logger.info("day plan skipped ticket %s: %s", ticket.code, exc.code)


def areas_with_visits(day: date) -> list[str]:
    """City prefixes (four digits of the division code) with visits booked on ``day``."""
    codes = {v.address.area_code[:4] for v in booked_visits(day=day) if v.address.area_code}
    return sorted(codes)


def plan_next_day_due(*, now: datetime | None = None) -> list[DayPlanResult]:
    """From ``DAY_PLAN_HOUR`` on, plan tomorrow for every city not planned yet."""
    from baoxiu.dispatch.models import DayPlan

    local = timezone.localtime(now or timezone.now())
    if local.hour < settings.DAY_PLAN_HOUR:
        return []
    tomorrow = local.date() + timedelta(days=1)
    done = set(DayPlan.objects.filter(day=tomorrow).values_list("area", flat=True))
    return [
        plan_day(day=tomorrow, area=area)
        for area in areas_with_visits(tomorrow)
        if area not in done
    ]
