"""Immediate assignment: who should take a ticket that just became dispatchable.

Each eligible technician's current plan is played forward — the job on site
finishes, the job they are driving to is done, and for work that is not an
emergency, the jobs already accepted or assigned to them come first — and the
new job is inserted after it. The earliest arrival wins; arrival is checked
against the ticket's SLA arrival deadline, so "nobody can make it" is known
at once instead of discovered when the clock runs out.

Eligible: an active technician whose outlet covers the ticket's division (or a
division above it), who holds every skill the fault needs, and who is working
now (inside working hours and not on the break) or, for an emergency, on the
on-call rota.

Everything a decision needs is read in a handful of queries — technicians and
their rota in one, every held job in another, only the columns the planner
uses and no model instances — and travel comes from one travel-matrix call
(origins: every candidate's free point; destination: the job), so a city of
hundreds of technicians is decided in milliseconds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from baoxiu.areas.selectors import division_ancestry
from baoxiu.catalog.choices import Priority
from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.workforce.models import OnCallShift, Technician, on_shift_at

# A reported position older than this says little about where the technician is now.
FRESH_POSITION = timedelta(minutes=15)
QUEUED = (TicketStatus.ASSIGNED, TicketStatus.ACCEPTED)
WORKING = (TicketStatus.ON_SITE, TicketStatus.IN_PROGRESS)
BUSY = (*QUEUED, TicketStatus.EN_ROUTE, *WORKING)


@dataclass(frozen=True)
class Candidate:
    technician_id: int
    name: str
    outlet: str
    eta: datetime  # arrival at the customer
    travel_seconds: int
    free_at: datetime  # when the work before this job is done
    open_jobs: int
    on_time: bool  # arrives by the SLA arrival deadline (or there is none)
    reason: str
    # Kept for emergencies: taking this job would leave fewer than the reserve of
    # other emergency responders able to reach the job's area in time.
    held: bool = False
    # An emergency reached in time by turning back from the non-emergency job the
    # technician is driving to (that job goes back to dispatch if they are chosen).
    diverts: bool = False
    # The ticket id of an emergency this technician holds and gives up for this one
    # (driving to it or not yet started): late anyway, or another technician
    # reaches it in time (``emergencies_to_hand_over``); it is decided again. 0: none.
    hands_over: int = 0

    def as_json(self) -> dict:
        return {
            "technician_id": self.technician_id,
            "name": self.name,
            "outlet": self.outlet,
            "eta": timezone.localtime(self.eta).isoformat(),
            "travel_minutes": round(self.travel_seconds / 60),
            "free_at": timezone.localtime(self.free_at).isoformat(),
            "open_jobs": self.open_jobs,
            "on_time": self.on_time,
            "reason": self.reason,
            "held": self.held,
            "diverts": self.diverts,
            "hands_over": self.hands_over,
        }


@dataclass(frozen=True)
class HeldJob:
    """A job a technician already holds, as the planner needs it."""

    status: str
    point: tuple[float, float]
    minutes: int
    arrived_at: datetime | None
    created_at: datetime
    ticket_id: int = 0
    priority: str = Priority.NORMAL


def _job_point(ticket: Ticket) -> tuple[float, float] | None:
    address = ticket.address
    if address.longitude is None or address.latitude is None:
        return None
    return (float(address.longitude), float(address.latitude))


def covering_technicians(ticket: Ticket) -> QuerySet[Technician]:
    """Active technicians whose outlet covers the ticket's division and who hold
    every skill its fault needs, whatever the hour."""
    division = ticket.address.division_id
    if not division:
        return Technician.objects.none()
    qs = Technician.objects.filter(
        active=True,
        user__is_active=True,
        outlet__active=True,
        outlet__coverages__division_id__in=division_ancestry(division),
    )
    for skill_id in ticket.fault_type.required_skills.values_list("id", flat=True):
        qs = qs.filter(skills__id=skill_id)
    return qs.distinct()


@dataclass(frozen=True, slots=True)
class TechnicianRow:
    """The columns of a technician a decision needs, read without building a model."""

    pk: int
    name: str
    outlet: str  # the outlet's name
    home_longitude: Decimal
    home_latitude: Decimal
    last_longitude: Decimal | None
    last_latitude: Decimal | None
    last_located_at: datetime | None

    @classmethod
    def of(cls, tech: Technician) -> TechnicianRow:
        return cls(
            tech.pk,
            tech.name,
            tech.outlet.name,
            tech.home_longitude,
            tech.home_latitude,
            tech.last_longitude,
            tech.last_latitude,
            tech.last_located_at,
        )


# What eligible_technicians reads of each technician: TechnicianRow's fields, then the shift.
_ROW_COLUMNS = (
    "pk",
    "name",
    "outlet__name",
    "home_longitude",
    "home_latitude",
    "last_longitude",
    "last_latitude",
    "last_located_at",
)
_SHIFT_COLUMNS = ("work_start", "work_end", "break_start", "break_minutes")


def eligible_technicians(ticket: Ticket, *, now: datetime) -> list[TechnicianRow]:
    """Technicians who may take the ticket now (coverage, skills, hours or rota).

    The technicians and their rota come in one query (after the fault's
    required skills): the rota is a subquery, and only the columns the planner
    and the shift check need are read, as rows (no model instances).
    """
    emergency = ticket.priority == Priority.EMERGENCY
    qs = covering_technicians(ticket)
    if emergency:
        rota = OnCallShift.objects.filter(
            technician_id=OuterRef("pk"), starts_at__lte=now, ends_at__gt=now
        )
        qs = qs.annotate(on_call_now=Exists(rota))
    else:
        qs = qs.annotate(on_call_now=Value(False))
    local = timezone.localtime(now)
    eligible = []
    for row in qs.values_list(*_ROW_COLUMNS, *_SHIFT_COLUMNS, "on_call_now"):
        work_start, work_end, break_start, break_minutes, on_call_now = row[len(_ROW_COLUMNS) :]
        if on_call_now or on_shift_at(
            local,
            work_start=work_start,
            work_end=work_end,
            break_start=break_start,
            break_minutes=break_minutes,
        ):
            eligible.append(TechnicianRow(*row[: len(_ROW_COLUMNS)]))
    return eligible


def _busy_by_technician(technician_ids, exclude_ticket: int) -> dict[int, list[HeldJob]]:
    rows = (
        Ticket.objects.filter(technician_id__in=technician_ids, status__in=BUSY)
        .exclude(pk=exclude_ticket)
        .values_list(
            "pk",
            "technician_id",
            "status",
            "address__longitude",
            "address__latitude",
            "fault_type__default_duration_minutes",
            "arrived_at",
            "created_at",
            "priority",
        )
    )
    busy: dict[int, list[HeldJob]] = defaultdict(list)
    for pk, tech_id, status, lng, lat, minutes, arrived_at, created_at, priority in rows:
        if lng is None or lat is None:
            continue  # an unplaced job: the dispatcher sees it; it cannot be timed
        busy[tech_id].append(
            HeldJob(status, (float(lng), float(lat)), minutes, arrived_at, created_at, pk, priority)
        )
    for jobs in busy.values():
        jobs.sort(
            key=lambda j: (j.status not in WORKING, j.status != TicketStatus.EN_ROUTE, j.created_at)
        )
    return busy


def start_point(tech: Technician | TechnicianRow, now: datetime) -> tuple[float, float]:
    if (
        tech.last_located_at is not None
        and now - tech.last_located_at <= FRESH_POSITION
        and tech.last_latitude is not None
    ):
        return (float(tech.last_longitude), float(tech.last_latitude))
    return (float(tech.home_longitude), float(tech.home_latitude))


@dataclass(frozen=True)
class TechState:
    """A technician as the planner sees them: where they are and what they hold.

    ``jobs`` are in plan order: the job on site, the one being driven to, then
    accepted or assigned work. The database adapter below builds these from
    tickets; the dispatch simulator (bench/dispatch_sim.py) builds them from its
    own model of a day, so both run the same planning code.
    """

    id: int
    name: str
    outlet: str
    position: tuple[float, float]
    jobs: tuple[HeldJob, ...] = ()
    # Holds a skill emergencies need that the job at hand does not: keep them
    # free for the next locked-out customer when someone else can go in time.
    reserve: bool = False


@dataclass(frozen=True)
class EmergencyCover:
    """Who could answer an emergency now, and how many must stay able to.

    ``responders`` are the technicians who hold every skill of an emergency
    fault and are on duty for emergencies now (working, or on the on-call
    rota), with their positions and held jobs. A reserve technician
    (``TechState.reserve``) who is also a responder is *held* from a
    non-emergency job when, without them, fewer than ``keep`` other responders
    could reach either the area they would leave (where they are now) or the
    job's area (where they would be busy) within ``within_s`` — the emergency
    arrival promise — were an emergency reported there now.
    """

    responders: tuple[TechState, ...]
    keep: int
    within_s: float


def _held_for_cover(
    states: list[TechState], cover: EmergencyCover | None, point, now: datetime, provider
) -> set[int]:
    """Ids of the reserve technicians whose departure would leave an area uncovered."""
    from baoxiu.dispatch.travel import EstimateProvider, pairwise_seconds

    if cover is None or cover.keep <= 0:
        return set()
    responder_ids = {r.id for r in cover.responders}
    reserves = [s for s in states if s.reserve and s.id in responder_ids]
    if not reserves:
        return set()
    responders = list(cover.responders)
    free_points, free = _free_after(responders, now, jump_queue=True)
    # Emergency arrival of every responder at the job's point and at each reserve
    # candidate's position: one vectorised estimate over all pairs.
    places = [point, *(s.position for s in reserves)]
    origins = [p for p in free_points for _ in places]
    targets = places * len(responders)
    estimate = provider if isinstance(provider, EstimateProvider) else None
    legs = pairwise_seconds(origins, targets, estimate).reshape(len(responders), len(places))
    reaches = (free[:, None] + legs) <= cover.within_s  # responder x place
    ids = np.array([r.id for r in responders])
    held = set()
    for column, state in enumerate(reserves, start=1):
        others = ids != state.id
        at_job = int(np.count_nonzero(reaches[others, 0]))
        at_home_area = int(np.count_nonzero(reaches[others, column]))
        if min(at_job, at_home_area) < cover.keep:
            held.add(state.id)
    return held


def _gives_way(job: HeldJob, relieve: frozenset[int]) -> bool:
    """A job being driven to that a new emergency may take its technician from:
    work that is not an emergency, or an emergency listed in ``relieve``."""
    return job.status == TicketStatus.EN_ROUTE and (
        job.priority != Priority.EMERGENCY or job.ticket_id in relieve
    )


def _not_ahead(job: HeldJob, relieve: frozenset[int]) -> bool:
    """Queued work a new emergency goes before: not an emergency, or one in ``relieve``."""
    return job.priority != Priority.EMERGENCY or job.ticket_id in relieve


def _handed_over(state: TechState, relieve: frozenset[int]) -> int:
    """The emergency in ``relieve`` this technician holds and has not started (or 0)."""
    for job in state.jobs:
        if job.status not in WORKING and job.ticket_id in relieve:
            return job.ticket_id
    return 0


def _divertible(state: TechState, relieve: frozenset[int] = frozenset()) -> bool:
    """Driving to a job that may give way, nothing started before it."""
    return bool(state.jobs and _gives_way(state.jobs[0], relieve))


def _free_after(
    states: list[TechState],
    now: datetime,
    *,
    jump_queue: bool,
    divert: bool = False,
    relieve: frozenset[int] = frozenset(),
) -> tuple[list[tuple[float, float]], np.ndarray]:
    """Where and in how many seconds each technician is free for one more job.

    With ``divert``, the job a technician is driving to is left out too when it
    may give way (``_gives_way``): they turn back from where they are.
    """
    from baoxiu.dispatch.travel import pairwise_seconds

    free_points, free_seconds, legs_from, legs_to, leg_owner = [], [], [], [], []
    for index, state in enumerate(states):
        position = state.position
        seconds = 0.0
        for job in state.jobs:
            if job.status in QUEUED and jump_queue and _not_ahead(job, relieve):
                continue  # an emergency goes before work not yet started, except emergencies
            if divert and _gives_way(job, relieve):
                continue
            if job.status in WORKING:
                started = job.arrived_at or now
                seconds = max(seconds, (started - now).total_seconds() + job.minutes * 60)
            else:
                legs_from.append(position)
                legs_to.append(job.point)
                leg_owner.append(index)
                seconds += job.minutes * 60
            position = job.point
        free_points.append(position)
        free_seconds.append(seconds)
    free = np.array(free_seconds, dtype=np.float64)
    if legs_from:
        np.add.at(free, np.array(leg_owner), pairwise_seconds(legs_from, legs_to))
    return free_points, free


def rank_technicians(
    states: list[TechState],
    *,
    point: tuple[float, float],
    now: datetime,
    jump_queue: bool,
    deadline: datetime | None,
    limit: int | None = 3,
    provider=None,
    not_before: datetime | None = None,
    cover: EmergencyCover | None = None,
    divert_en_route: bool = False,
    relieve: frozenset[int] = frozenset(),
) -> list[Candidate]:
    """Insert a job at ``point`` into every plan; earliest arrival first, on-time first.

    With ``jump_queue`` (an emergency) the job goes before work not yet started;
    otherwise after everything the technician already holds. One travel-matrix
    call for the final legs; the legs between held jobs use the vectorised estimate.

    With ``cover`` (a job that is not an emergency), reserve technicians whose
    departure would leave an area short of emergency responders are ``held``
    and ranked after everyone else, on time or late (see ``EmergencyCover``).

    With ``divert_en_route`` (an emergency with a deadline), a technician
    driving to work that is not an emergency is timed as turning back from
    where they are — that job, too, is not started — and is a candidate that
    ``diverts`` when this reaches the emergency by its deadline (one more
    travel-matrix call, for those technicians only). A late emergency turns
    no one back. Then, as for anyone, the earliest arrival wins: a technician
    already on the road is sent rather than an idle one who arrives later,
    which keeps the idle one for the next emergency. ``relieve`` lists
    emergencies held and not started (driven to, or queued) that may give way
    as well (their ticket ids, from ``emergencies_to_hand_over``): the new
    emergency goes before them, and such a candidate ``hands_over`` one.
    """
    from baoxiu.dispatch.travel import travel_matrix

    if not states:
        return []
    free_points, free = _free_after(states, now, jump_queue=jump_queue, relieve=relieve)
    travel = (
        travel_matrix(np.array(free_points), np.array([point]), provider=provider)
        .durations_s[:, 0]
        .astype(np.float64)
    )
    arrivals = free + travel
    diverts = np.zeros(len(states), dtype=bool)
    if jump_queue and divert_en_route and deadline is not None:
        allowed = (deadline - now).total_seconds()
        turning = [i for i, s in enumerate(states) if _divertible(s, relieve)]
        if turning:
            points, soon = _free_after(
                [states[i] for i in turning], now, jump_queue=True, divert=True, relieve=relieve
            )
            legs = (
                travel_matrix(np.array(points), np.array([point]), provider=provider)
                .durations_s[:, 0]
                .astype(np.float64)
            )
            for k, i in enumerate(turning):
                if soon[k] + legs[k] <= allowed:
                    free[i], travel[i], arrivals[i] = soon[k], legs[k], soon[k] + legs[k]
                    diverts[i] = True
    held = _held_for_cover(states, cover, point, now, provider)
    candidates = []
    for index in np.argsort(arrivals, kind="stable"):
        state = states[index]
        eta = now + timedelta(seconds=float(arrivals[index]))
        if not_before is not None and eta < not_before:
            eta = not_before  # a booked visit: not before the window opens
        travel_min = round(float(travel[index]) / 60)
        wait_min = round(float(free[index]) / 60)
        if wait_min:
            reason = _("完成手头 %(n)d 分钟工作后前往，路程约 %(m)d 分钟") % {
                "n": wait_min,
                "m": travel_min,
            }
        else:
            reason = _("空闲，路程约 %(m)d 分钟") % {"m": travel_min}
        hands_over = _handed_over(state, relieve)
        if hands_over and state.jobs[0].ticket_id == hands_over and not diverts[index]:
            hands_over = 0  # driving to it, and turning back does not make this one
        if hands_over:
            reason = _(
                "在途的急修已无法按时到达或可由他人按时接手，改来本单，路程约 %(m)d 分钟"
            ) % {"m": travel_min}
        elif diverts[index]:
            reason = _("放下在途的非紧急工单改去急修，路程约 %(m)d 分钟") % {"m": travel_min}
        if state.id in held:
            reason = _(
                "留作急修备勤（派走后附近能按时赶到急修的其他师傅不足 %(k)d 人）；%(reason)s"
            ) % {"k": cover.keep, "reason": reason}
        candidates.append(
            Candidate(
                technician_id=state.id,
                name=state.name,
                outlet=state.outlet,
                eta=eta,
                travel_seconds=int(travel[index]),
                free_at=now + timedelta(seconds=float(free[index])),
                open_jobs=len(state.jobs),
                on_time=deadline is None or eta <= deadline,
                reason=reason,
                held=state.id in held,
                diverts=bool(diverts[index]),
                hands_over=hands_over,
            )
        )
    candidates.sort(key=_ranking({state.id for state in states if state.reserve}))
    return candidates if limit is None else candidates[:limit]


def _ranking(reserved: set[int]):
    """The order of candidates: held last, on time first, then earliest arrival."""
    return lambda c: (
        c.held,
        not c.on_time,
        c.on_time and c.technician_id in reserved,
        c.eta,
        c.open_jobs,
    )


def rerank_with_handover(
    ranked: list[Candidate],
    states: list[TechState],
    *,
    relief: frozenset[int],
    limit: int | None = None,
    **rank: object,
) -> list[Candidate]:
    """``ranked`` (every candidate of ``rank_technicians(states, **rank)``) with
    the technicians holding the emergencies in ``relief`` timed again as giving
    one up (``rank_technicians(relieve=relief)``) where that reaches the new
    emergency in time; only they are timed again, everyone else keeps their
    place."""
    owners = [state for state in states if _handed_over(state, relief)]
    # Only a technician who then reaches the new emergency in time gives one up.
    again = [
        c
        for c in rank_technicians(owners, **rank, limit=None, relieve=relief)
        if c.on_time and c.hands_over
    ]
    moved = {c.technician_id for c in again}
    merged = [c for c in ranked if c.technician_id not in moved] + again
    merged.sort(key=_ranking({state.id for state in states if state.reserve}))
    return merged if limit is None else merged[:limit]


def rank_with_handover(
    states: list[TechState],
    *,
    handover_inputs_for,
    limit: int | None = 3,
    **rank,
) -> list[Candidate]:
    """``rank_technicians(states, **rank)``; for an emergency nobody reaches by
    its deadline, again with what the technicians who could help may hand over
    (``could_hand_over``, ``emergencies_to_hand_over``, ``rerank_with_handover``).

    ``handover_inputs_for(owners)`` gives ``(deadlines, takers)`` for
    ``emergencies_to_hand_over`` — from the database (``handover_inputs``) or
    from a simulation; None: no hand-over.
    """
    ranked = rank_technicians(states, **rank, limit=None)
    late_emergency = rank["jump_queue"] and rank.get("deadline") is not None
    if handover_inputs_for is not None and late_emergency and not (ranked and ranked[0].on_time):
        now, provider = rank["now"], rank.get("provider")
        owners = could_hand_over(
            states, point=rank["point"], now=now, deadline=rank["deadline"], provider=provider
        )
        deadlines, takers = handover_inputs_for(owners)
        if deadlines:
            relief = emergencies_to_hand_over(
                states,
                now=now,
                deadlines=deadlines,
                takers=takers,
                provider=provider,
                owners=owners,
            )
            if relief:
                ranked = rerank_with_handover(ranked, states, relief=relief, **rank)
    return ranked if limit is None else ranked[:limit]


def next_emergency(state: TechState) -> HeldJob | None:
    """The next emergency a technician will start: the one they drive to, else the
    first queued (emergencies go before other work not yet started)."""
    for job in state.jobs:
        if job.priority == Priority.EMERGENCY and (
            job.status == TicketStatus.EN_ROUTE or job.status in QUEUED
        ):
            return job
    return None


def _before(state: TechState, job: HeldJob | None) -> TechState:
    """``state`` with only the jobs done before ``job`` (None: the work in hand)."""
    if job is None:
        return replace(state, jobs=tuple(j for j in state.jobs if j.status in WORKING))
    return replace(state, jobs=state.jobs[: state.jobs.index(job)])


def could_hand_over(
    states: list[TechState], *, point, now: datetime, deadline: datetime, provider=None
) -> list[TechState]:
    """The technicians worth asking ``emergencies_to_hand_over`` about for a new
    emergency at ``point``: those holding an emergency not started who would
    reach ``point`` by ``deadline`` once the work in hand is done (what they
    drive to or have queued may give way; one vectorised estimate)."""
    from baoxiu.dispatch.travel import EstimateProvider, pairwise_seconds

    holding = [state for state in states if next_emergency(state) is not None]
    if not holding:
        return []
    points, free = _free_after([_before(state, None) for state in holding], now, jump_queue=True)
    estimate = provider if isinstance(provider, EstimateProvider) else None
    soonest = free + pairwise_seconds(points, [point] * len(points), estimate)
    allowed = (deadline - now).total_seconds()
    return [state for state, seconds in zip(holding, soonest, strict=True) if seconds <= allowed]


def emergencies_to_hand_over(
    states: list[TechState],
    *,
    now: datetime,
    deadlines: dict[int, datetime],
    takers: dict[int, set[int]] | None = None,
    provider=None,
    owners: list[TechState] | None = None,
) -> frozenset[int]:
    """Emergencies held and not started that may give way to a new emergency.

    Asked only when nobody reaches a new emergency within its promise any
    other way. For each technician in ``owners`` (default: ``states``; see
    ``could_hand_over``), their next emergency (``next_emergency``: driving to
    it, or queued) is considered when ``deadlines`` gives its arrival deadline
    (the caller leaves out those given up often enough already). It may give
    way when its promise is not at stake:

    - it is late anyway: its own technician reaches it after its deadline
      (then it waits for the next technician to come free); or
    - someone else in ``states`` reaches it by its deadline without turning
      anyone back — those in ``takers[ticket id]`` (default: all), timed as
      ``rank_technicians`` times an emergency (after what they are doing,
      before work not yet started).

    Either way one more promise is kept: the new emergency's. Returns the
    ticket ids; ``rank_technicians(relieve=...)`` puts the new emergency
    before them. One travel-matrix call for all of them.
    """
    from baoxiu.dispatch.travel import travel_matrix

    held = []
    for state in states if owners is None else owners:
        job = next_emergency(state)
        if job is not None and job.ticket_id in deadlines:
            held.append((state, job))
    if not held:
        return frozenset()
    free_points, free = _free_after(states, now, jump_queue=True)
    # Its own technician: after the jobs before it (none when driving to it).
    own_points, own_free = _free_after(
        [_before(state, job) for state, job in held], now, jump_queue=True
    )
    targets = np.array([job.point for _state, job in held])
    travel = travel_matrix(
        np.vstack([np.array(free_points), np.array(own_points)]), targets, provider=provider
    ).durations_s.astype(np.float64)
    arrivals = free[:, None] + travel[: len(states)]
    own = own_free + np.diagonal(travel[len(states) :])
    ids = np.array([state.id for state in states])
    relief = set()
    for column, (state, job) in enumerate(held):
        allowed_s = (deadlines[job.ticket_id] - now).total_seconds()
        if own[column] > allowed_s:
            relief.add(job.ticket_id)  # late anyway
            continue
        others = ids != state.id
        if takers is not None:
            others &= np.isin(ids, list(takers.get(job.ticket_id, ())))
        if np.any(arrivals[others, column] <= allowed_s):
            relief.add(job.ticket_id)
    return frozenset(relief)


def emergency_skill_ids() -> frozenset[int]:
    """Skills that emergency faults (locked out) require."""
    from baoxiu.catalog.models import FaultType

    return frozenset(
        FaultType.objects.filter(active=True, priority=Priority.EMERGENCY)
        .values_list("required_skills", flat=True)
        .exclude(required_skills=None)
    )


def _skills_by_technician(technician_ids, skill_ids=None) -> dict[int, set[int]]:
    """The skills each technician holds (only those in ``skill_ids`` when given)."""
    through = Technician.skills.through.objects.filter(technician_id__in=technician_ids)
    if skill_ids is not None:
        through = through.filter(skill_id__in=skill_ids)
    held: dict[int, set[int]] = defaultdict(set)
    for tech_id, skill_id in through.values_list("technician_id", "skill_id"):
        held[tech_id].add(skill_id)
    return held


def _skills_by_fault(**filters) -> dict[int, set[int]]:
    """The required skills of each fault type matching ``filters`` (on the
    fault-type/skill link), for faults that need any."""
    from baoxiu.catalog.models import FaultType

    needs: dict[int, set[int]] = defaultdict(set)
    rows = FaultType.required_skills.through.objects.filter(**filters)
    for fault_id, skill_id in rows.values_list("faulttype_id", "skill_id"):
        needs[fault_id].add(skill_id)
    return needs


def _states(technicians: list[TechnicianRow], ticket: Ticket, now: datetime) -> list[TechState]:
    ids = [tech.pk for tech in technicians]
    busy = _busy_by_technician(ids, ticket.pk)
    if ticket.priority == Priority.EMERGENCY:
        scarce = set()  # an emergency is what the reserve is for
    else:
        scarce = set(emergency_skill_ids())
        scarce -= set(ticket.fault_type.required_skills.values_list("id", flat=True))
    skills = _skills_by_technician(ids, scarce) if scarce else {}
    return [
        TechState(
            id=tech.pk,
            name=tech.name,
            outlet=tech.outlet,
            position=start_point(tech, now),
            jobs=tuple(busy.get(tech.pk, ())),
            reserve=bool(skills.get(tech.pk)),
        )
        for tech in technicians
    ]


def emergency_skill_sets() -> list[frozenset[int]]:
    """The skills of each active emergency fault (one set per fault that needs any)."""
    sets = _skills_by_fault(faulttype__active=True, faulttype__priority=Priority.EMERGENCY)
    return [frozenset(skills) for skills in sets.values()]


def emergency_responders(ticket: Ticket, *, now: datetime) -> list[Technician]:
    """Technicians who could take an emergency at the ticket's address now.

    Coverage of the address's division, every skill of an emergency fault, and
    on duty for emergencies (working now, or on the on-call rota).
    """
    sets = emergency_skill_sets()
    division = ticket.address.division_id
    if not sets or not division:
        return []
    technicians = list(
        Technician.objects.filter(
            active=True,
            user__is_active=True,
            outlet__active=True,
            outlet__coverages__division_id__in=division_ancestry(division),
            skills__id__in=set().union(*sets),
        )
        .select_related("outlet")
        .distinct()
    )
    if not technicians:
        return []
    held = _skills_by_technician([t.pk for t in technicians])
    able = [t for t in technicians if any(skills <= held[t.pk] for skills in sets)]
    on_call = set(
        OnCallShift.objects.filter(
            technician__in=able, starts_at__lte=now, ends_at__gt=now
        ).values_list("technician_id", flat=True)
    )
    local = timezone.localtime(now)
    return [t for t in able if t.on_shift(local) or t.pk in on_call]


def _emergency_cover(
    ticket: Ticket, states: list[TechState], now: datetime
) -> EmergencyCover | None:
    """The responders a non-emergency ticket must leave in place (``EmergencyCover``)."""
    from baoxiu.dispatch.choices import ClockKind
    from baoxiu.dispatch.selectors import sla_policy_for

    keep = settings.DISPATCH_EMERGENCY_RESERVE
    if keep <= 0 or ticket.priority == Priority.EMERGENCY or not any(s.reserve for s in states):
        return None
    known = {state.id: state for state in states}
    responders = emergency_responders(ticket, now=now)
    others = [t for t in responders if t.pk not in known]
    busy = _busy_by_technician(others, ticket.pk) if others else {}
    policy = sla_policy_for(priority=Priority.EMERGENCY, division_code=ticket.address.division_id)
    return EmergencyCover(
        responders=tuple(
            known.get(t.pk)
            or TechState(
                id=t.pk,
                name=t.name,
                outlet=t.outlet.name,
                position=start_point(t, now),
                jobs=tuple(busy.get(t.pk, ())),
            )
            for t in responders
        ),
        keep=keep,
        within_s=policy.minutes_for(ClockKind.ARRIVE) * 60,
    )


def assignment_candidates(
    *, ticket: Ticket, now: datetime | None = None, limit: int = 3, deadline: datetime | None = None
) -> list[Candidate]:
    """The best ``limit`` technicians for ``ticket``, earliest arrival first.

    ``deadline`` is the latest acceptable arrival (default: the ticket's SLA
    arrival clock, if it has one). Candidates arriving by then come first.
    An emergency is inserted before work not yet started; other work after it.
    For other work, a technician who can answer emergencies is held back
    (``Candidate.held``, ranked last) when taking it would leave fewer than
    ``settings.DISPATCH_EMERGENCY_RESERVE`` others able to reach the job's
    area or the area they leave within the emergency arrival promise.
    For an emergency, a technician driving to other work is also timed as
    turning back, and is a candidate that diverts when that reaches it in
    time (``settings.DISPATCH_DIVERT_EN_ROUTE``, ``Candidate.diverts``).
    When even that leaves an emergency late, a technician driving to another
    emergency may be turned back too, if that one is late anyway or someone
    else reaches it in time (``emergencies_to_hand_over``; at most
    ``settings.DISPATCH_EMERGENCY_HANDOVER`` times per emergency;
    ``Candidate.hands_over``).
    """
    now = now or timezone.now()
    point = _job_point(ticket)
    if point is None:
        return []
    technicians = eligible_technicians(ticket, now=now)
    if not technicians:
        return []
    states = _states(technicians, ticket, now)
    deadline = deadline if deadline is not None else _arrival_deadline(ticket)
    emergency = ticket.priority == Priority.EMERGENCY

    return rank_with_handover(
        states,
        handover_inputs_for=lambda owners: handover_inputs(states, now, owners=owners),
        limit=limit,
        point=point,
        now=now,
        jump_queue=emergency,
        deadline=deadline,
        not_before=ticket.appointment_start,
        cover=_emergency_cover(ticket, states, now),
        divert_en_route=settings.DISPATCH_DIVERT_EN_ROUTE,
    )


def handover_inputs(
    states: list[TechState], now: datetime, *, owners: list[TechState] | None = None
) -> tuple[dict[int, datetime], dict[int, set[int]]]:
    """What ``emergencies_to_hand_over`` needs, in a few queries: the next
    emergency of each technician in ``owners`` (default ``states``), their
    arrival deadlines (``arrival_deadlines``), less those taken back
    ``settings.DISPATCH_EMERGENCY_HANDOVER`` times already; and who in
    ``states`` may take each (their outlet covers its division and they hold
    its fault's skills — on duty they are, being eligible for an emergency
    now)."""
    from django.db.models import Count

    from baoxiu.areas.models import Coverage
    from baoxiu.tickets.choices import EventType
    from baoxiu.tickets.models import TicketEvent

    limit = settings.DISPATCH_EMERGENCY_HANDOVER
    nexts = (next_emergency(state) for state in (states if owners is None else owners))
    ids = [job.ticket_id for job in nexts if job is not None]
    if limit <= 0 or not settings.DISPATCH_DIVERT_EN_ROUTE or not ids:
        return {}, {}
    taken_back = dict(
        TicketEvent.objects.filter(ticket_id__in=ids, type=EventType.UNASSIGNED)
        .values("ticket_id")
        .annotate(n=Count("id"))
        .values_list("ticket_id", "n")
    )
    deadlines = {
        ticket_id: due_at
        for ticket_id, due_at in arrival_deadlines(ids).items()
        if taken_back.get(ticket_id, 0) < limit
    }
    if not deadlines:
        return {}, {}
    jobs = list(
        Ticket.objects.filter(pk__in=deadlines).values_list(
            "pk", "address__division_id", "fault_type_id"
        )
    )
    needs = _skills_by_fault(faulttype_id__in={fault for _pk, _division, fault in jobs})
    tech_ids = [state.id for state in states]
    held = _skills_by_technician(tech_ids, set().union(*needs.values()))
    covers = defaultdict(set)
    for tech_id, division_id in Coverage.objects.filter(
        outlet__technicians__in=tech_ids
    ).values_list("outlet__technicians", "division_id"):
        covers[tech_id].add(division_id)
    takers = {}
    for pk, division_id, fault_id in jobs:
        above = set(division_ancestry(division_id)) if division_id else set()
        takers[pk] = {
            tech_id
            for tech_id in tech_ids
            if needs[fault_id] <= held[tech_id] and covers[tech_id] & above
        }
    return deadlines, takers


def ticket_eta(ticket: Ticket, *, now: datetime | None = None) -> datetime | None:
    """When the assigned technician should arrive, from where they are now.

    Only for a ticket on its way (assigned, accepted, en route); the job is
    taken to be their next one. None when it cannot be estimated.
    """
    if ticket.technician_id is None or ticket.status not in (*QUEUED, TicketStatus.EN_ROUTE):
        return None
    point = _job_point(ticket)
    if point is None:
        return None
    now = now or timezone.now()
    states = _states([TechnicianRow.of(ticket.technician)], ticket, now)
    [best] = rank_technicians(
        states,
        point=point,
        now=now,
        jump_queue=True,
        deadline=None,
        limit=1,
        not_before=ticket.appointment_start,
    )
    return best.eta


def ticket_etas(tickets, *, now: datetime | None = None) -> dict[int, datetime]:
    """ETAs for many tickets at once (the dispatcher board): ticket id -> arrival.

    Same plan as ``ticket_eta``; the final leg uses the vectorised estimate so
    a board of dozens of tickets costs one query and no routing-server calls.
    """
    from baoxiu.dispatch.travel import pairwise_seconds

    now = now or timezone.now()
    on_way = [
        t
        for t in tickets
        if t.technician_id
        and t.status in (*QUEUED, TicketStatus.EN_ROUTE)
        and _job_point(t) is not None
    ]
    if not on_way:
        return {}
    technicians = {t.technician_id: t.technician for t in on_way}
    busy = _busy_by_technician(list(technicians), exclude_ticket=0)
    states = [
        TechState(
            id=t.pk,
            name="",
            outlet="",
            position=start_point(t.technician, now),
            jobs=tuple(j for j in busy.get(t.technician_id, ()) if j.ticket_id != t.pk),
        )
        for t in on_way
    ]
    free_points, free = _free_after(states, now, jump_queue=True)
    legs = pairwise_seconds(free_points, [_job_point(t) for t in on_way])
    etas = {}
    for index, ticket in enumerate(on_way):
        eta = now + timedelta(seconds=float(free[index] + legs[index]))
        if ticket.appointment_start and eta < ticket.appointment_start:
            eta = ticket.appointment_start
        etas[ticket.pk] = eta
    return etas


def arrival_deadlines(ticket_ids) -> dict[int, datetime]:
    """Each ticket's arrival deadline: the due time of its open arrival SLA clock
    (the latest started, if a reopen left more than one). One query."""
    from baoxiu.dispatch.choices import OPEN_CLOCK_STATES, ClockKind
    from baoxiu.dispatch.models import SlaClock

    clocks = SlaClock.objects.filter(
        ticket_id__in=ticket_ids, kind=ClockKind.ARRIVE, state__in=OPEN_CLOCK_STATES
    ).order_by("started_at", "pk")
    return dict(clocks.values_list("ticket_id", "due_at"))  # later rows win


def _arrival_deadline(ticket: Ticket) -> datetime | None:
    return arrival_deadlines([ticket.pk]).get(ticket.pk)
