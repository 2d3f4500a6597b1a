"""Periodic re-optimisation: re-plan a city's unpinned work with a routing engine.

Every few minutes (``dispatch.reoptimise``) each city with open work is
described as a routing problem — the technicians working now as vehicles
starting where they are, every open job with its service time, skills,
priority and arrival window — and solved by the field-service engine (VROOM
by default). Work a technician has accepted, is driving to or is doing is
pinned to them (the job under way as their first stop); only work that is
merely assigned, or still waiting, may move.

Churn costs more than a few minutes of driving: a technician who was told of
a job and then loses it is confused, and so is a customer whose ETA jumps.
So the new plan is adopted only when it is clearly better than the current
one (both scored the same way, from the same travel matrix):

1. it serves more of the work within its windows (weighted by priority), or
2. it serves the same, and cuts planned driving by at least
   ``MIN_GAIN_SECONDS`` (15 min) *and* ``MIN_GAIN_SHARE`` (10 %).

Then at most ``MAX_MOVES`` assigned jobs change hands per run (those with the
largest saving first), each as an unassign + assign pair on the timeline; a
ticket changed meanwhile by someone else is left alone (version check).
Waiting tickets the plan places are assigned only in ``auto`` mode.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baoxiu.catalog.choices import Priority
from baoxiu.core.errors import DomainError
from baoxiu.dispatch.assignment import start_point
from baoxiu.dispatch.choices import OPEN_CLOCK_STATES, ClockKind, DispatchMode
from baoxiu.dispatch.engines import Break, Job, Problem, Vehicle, get_engine
from baoxiu.dispatch.engines.base import UNLIMITED, plan_route
from baoxiu.dispatch.models import SlaClock
from baoxiu.dispatch.travel import travel_matrix
from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ticket_transition
from baoxiu.workforce.models import Technician

logger = logging.getLogger(__name__)

MIN_GAIN_SECONDS = 15 * 60
MIN_GAIN_SHARE = 0.10
MAX_MOVES = 20
PRIORITY_WEIGHT = {Priority.EMERGENCY: 100, Priority.URGENT: 60, Priority.NORMAL: 20}
PINNED = (
    TicketStatus.ACCEPTED,
    TicketStatus.EN_ROUTE,
    TicketStatus.ON_SITE,
    TicketStatus.IN_PROGRESS,
)
UNDER_WAY = (TicketStatus.EN_ROUTE, TicketStatus.ON_SITE, TicketStatus.IN_PROGRESS)
MOVABLE = (TicketStatus.ASSIGNED,)
WORKING_STATUSES = (TicketStatus.ON_SITE, TicketStatus.IN_PROGRESS)
WAITING = (TicketStatus.NEW, TicketStatus.DISPATCHING)


@dataclass
class ReplanResult:
    area: str
    technicians: int = 0
    jobs: int = 0
    adopted: bool = False
    current_served: int = 0
    planned_served: int = 0
    current_seconds: int = 0
    planned_seconds: int = 0
    moved: list[str] = field(default_factory=list)  # ticket codes reassigned
    placed: list[str] = field(default_factory=list)  # waiting tickets assigned
    reason: str = ""


def _score(problem: Problem, routes: dict[str, list[str]]) -> tuple[int, int, dict[str, str]]:
    """(priority served, driving seconds, job -> vehicle) of a plan, scheduled one way."""
    served, seconds, owner = 0, 0, {}
    for vehicle in problem.vehicles:
        job_ids = routes.get(vehicle.id, [])
        route, _dropped = plan_route(problem, vehicle, job_ids)
        if route is None:
            continue
        for job_id in route.job_ids:
            served += problem.job(job_id).priority
            owner[job_id] = vehicle.id
        path = [vehicle.start, *(problem.job(j).location for j in route.job_ids)]
        seconds += int(problem.durations[np.asarray(path[:-1]), np.asarray(path[1:])].sum())
    return served, seconds, owner


def _deadlines(tickets: list[Ticket]) -> dict[int, datetime]:
    clocks = SlaClock.objects.filter(
        ticket__in=tickets, kind=ClockKind.ARRIVE, state__in=OPEN_CLOCK_STATES
    ).order_by("started_at")
    return {clock.ticket_id: clock.due_at for clock in clocks}


def _window(
    ticket: Ticket, deadline: datetime | None, now: datetime
) -> tuple[tuple[int, int], ...]:
    if ticket.status in UNDER_WAY:
        return ()  # already there or on the way: no window can be missed any more
    start = 0
    if ticket.appointment_start is not None:
        start = max(0, int((ticket.appointment_start - now).total_seconds()))
    if deadline is None or deadline <= now:
        return ((start, UNLIMITED),) if start else ()  # already late: serve it, soonest first
    end = max(start, int((deadline - now).total_seconds()))
    return ((start, end),)


def replan_area(
    *, area: str, now: datetime | None = None, engine: str = "", time_limit: float = 1.0
) -> ReplanResult:
    """Re-plan the open work of one area (a division-code prefix such as ``4403``).

    ``engine`` defaults to ``settings.ROUTING_ENGINE``.
    """
    now = now or timezone.now()
    engine = engine or settings.ROUTING_ENGINE
    result = ReplanResult(area=area)
    local = timezone.localtime(now)
    technicians = [
        t
        for t in Technician.objects.filter(
            active=True, user__is_active=True, outlet__area_code__startswith=area
        )
        .select_related("outlet")
        .prefetch_related("skills")
        if t.on_shift(local)
    ]
    tickets = list(
        Ticket.objects.filter(address__area_code__startswith=area, address__longitude__isnull=False)
        .filter(
            Q(status__in=WAITING)
            | Q(status__in=MOVABLE, technician__in=technicians)
            | Q(status__in=PINNED, technician__in=technicians)
        )
        .select_related("address", "fault_type", "technician")
        .prefetch_related("fault_type__required_skills")
        .order_by("created_at", "id")
    )
    result.technicians, result.jobs = len(technicians), len(tickets)
    if not technicians or not tickets:
        result.reason = "nothing to plan"
        return result

    points = [start_point(t, now) for t in technicians] + [
        (float(t.address.longitude), float(t.address.latitude)) for t in tickets
    ]
    durations = travel_matrix(np.array(points), np.array(points)).durations_s.astype(np.int64)
    deadlines = _deadlines(tickets)
    vehicles = []
    for index, tech in enumerate(technicians):
        shift_end = datetime.combine(local.date(), tech.work_end, tzinfo=local.tzinfo)
        brk = datetime.combine(local.date(), tech.break_start, tzinfo=local.tzinfo)
        breaks = ()
        if brk > local and tech.break_minutes:
            at = int((brk - now).total_seconds())
            breaks = (Break(at, at + 30 * 60, tech.break_minutes * 60),)
        vehicles.append(
            Vehicle(
                id=str(tech.pk),
                start=index,
                skills=frozenset(s.pk for s in tech.skills.all()),
                shift=(0, max(0, int((shift_end - now).total_seconds()))),
                breaks=breaks,
            )
        )
    working_ids = {str(t.pk) for t in technicians}
    jobs, current = [], {v.id: [] for v in vehicles}
    # One job per technician can be "under way" first: the one on site, else the
    # one being driven to (records can show more; the rest are simply pinned).
    first_of: dict[str, int] = {}
    for ticket in sorted(tickets, key=lambda t: t.status not in WORKING_STATUSES):
        if ticket.status in UNDER_WAY and ticket.technician_id:
            first_of.setdefault(str(ticket.technician_id), ticket.pk)
    for offset, ticket in enumerate(tickets):
        holder = str(ticket.technician_id) if ticket.technician_id else None
        minutes = ticket.fault_type.default_duration_minutes
        if ticket.status in (TicketStatus.ON_SITE, TicketStatus.IN_PROGRESS) and ticket.arrived_at:
            done = (now - ticket.arrived_at).total_seconds() / 60
            minutes = max(5, int(minutes - done))
        pinned = ticket.status in PINNED and holder in working_ids
        jobs.append(
            Job(
                id=str(ticket.pk),
                location=len(technicians) + offset,
                service=minutes * 60,
                skills=frozenset(s.pk for s in ticket.fault_type.required_skills.all()),
                priority=PRIORITY_WEIGHT.get(ticket.priority, 20),
                time_windows=_window(ticket, deadlines.get(ticket.pk), now),
                pinned_vehicle=holder if pinned else None,
                pinned_first=pinned and first_of.get(holder) == ticket.pk,
            )
        )
        if holder in current:
            current[holder].append(str(ticket.pk))
    first = {job.id for job in jobs if job.pinned_first}
    for job_ids in current.values():  # the job under way first, as it is
        job_ids.sort(key=lambda j: j not in first)
    problem = Problem(durations=durations, vehicles=tuple(vehicles), jobs=tuple(jobs))

    solution = get_engine(engine).solve(problem, time_limit=time_limit)
    planned = {route.vehicle_id: list(route.job_ids) for route in solution.routes}
    cur_served, cur_seconds, cur_owner = _score(problem, current)
    new_served, new_seconds, new_owner = _score(problem, planned)
    result.current_served, result.current_seconds = cur_served, cur_seconds
    result.planned_served, result.planned_seconds = new_served, new_seconds
    saving = cur_seconds - new_seconds
    better = new_served > cur_served or (
        new_served == cur_served
        and saving >= MIN_GAIN_SECONDS
        and saving >= MIN_GAIN_SHARE * max(cur_seconds, 1)
    )
    if not better:
        result.reason = "current plan kept: the gain is not worth the churn"
        return result
    result.adopted = True
    by_id = {str(t.pk): t for t in tickets}
    auto = settings.DISPATCH_MODE == DispatchMode.AUTO
    for job_id, vehicle_id in new_owner.items():
        ticket = by_id[job_id]
        technician = next(t for t in technicians if str(t.pk) == vehicle_id)
        try:
            if ticket.status in MOVABLE and cur_owner.get(job_id) != vehicle_id:
                if len(result.moved) >= MAX_MOVES or str(ticket.technician_id) == vehicle_id:
                    continue
                ticket = ticket_transition(
                    ticket=ticket, action="unassign", note=_("重新优化：改派以缩短路程")
                )
                ticket_transition(
                    ticket=ticket,
                    action="assign",
                    technician=technician,
                    note=_("重新优化改派"),
                )
                result.moved.append(ticket.code)
            elif ticket.status in WAITING and auto:
                ticket_transition(
                    ticket=ticket,
                    action="assign",
                    technician=technician,
                    note=_("重新优化派单"),
                )
                result.placed.append(ticket.code)
        except DomainError as exc:  # changed meanwhile: leave it to the next run
            logger.info("replan skipped ticket %s: %s", ticket.code, exc.code)
    result.reason = "plan adopted"
    return result


def areas_with_open_work() -> list[str]:
    """City prefixes (first four digits of the division code) with work to plan."""
    codes = (
        Ticket.objects.filter(status__in=(*WAITING, *MOVABLE))
        .exclude(address__area_code="")
        .values_list("address__area_code", flat=True)
        .distinct()
    )
    return sorted({code[:4] for code in codes})


def reoptimise_all(*, now: datetime | None = None, time_limit: float = 1.0) -> list[ReplanResult]:
    now = now or timezone.now()
    deadline = timezone.now() + timedelta(seconds=60)
    results = []
    for area in areas_with_open_work():
        if timezone.now() > deadline:
            break  # the next run continues; a run never overlaps the next
        results.append(replan_area(area=area, now=now, time_limit=time_limit))
    return results
