"""The routing-engine interface: what every solver is given and what it returns.

Dispatch (immediate assignment, the periodic re-optimisation, next-day
appointment plans) describes a day as a :class:`Problem` — travel times
between numbered locations, technicians as :class:`Vehicle`, work as
:class:`Job` — and asks an :class:`Engine` for a :class:`Solution`. Engines
live one per module beside this one (``vroom``, ``pyvrp``, ``fake``) and are
picked by name with :func:`baoxiu.dispatch.engines.get_engine`.

Units. All times and durations share one unit: seconds from the start of
the planning horizon in the platform, the instance's own unit (scaled to
integers) in the benchmarks. Locations are row/column indices of the
matrices. Everything is a non-negative integer below :data:`UNLIMITED`.

The rules every engine keeps (the tests hold each engine to them):

- A job is served only by a vehicle having all its ``skills``.
- Service *starts* inside one of the job's ``time_windows`` (inclusive
  bounds; no windows means any time) and may run past its end. Arriving
  early means waiting.
- A vehicle leaves ``start`` no earlier than ``shift[0]`` and, after its last
  job, reaches ``end`` (or, with ``end=None``, finishes its last service) no
  later than ``shift[1]``.
- A vehicle that is used takes each of its breaks once, starting between
  the break's earliest and latest start, between two stops (before the
  first or after the last one included). A break may interrupt a drive or
  fill a wait at the next job; it never overlaps a service.
- The ``demand`` of a vehicle's jobs adds up to at most its ``capacity``
  (loaded at the start, as for deliveries), and it does at most
  ``max_jobs`` jobs.
- A job with ``pinned_vehicle`` is served by that vehicle or not at all; with
  ``pinned_first`` it is also that vehicle's first stop (the technician is
  already on the way or on site).
- ``priority`` (0–100, higher is more important) decides which jobs stay
  unassigned when not all can be served.

A job an engine cannot serve within these rules is listed in
``Solution.unassigned``; no engine bends a rule to place it. An engine that
cannot even express a rule present in the problem raises
:class:`UnsupportedProblem` rather than ignore it.

Every engine reports times from the same earliest-start schedule
(:func:`plan_route`), computed from the matrix for the stop order (and break
positions) the solver chose, so plans from different engines compare
directly and are checked by one definition.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple, Protocol

import numpy as np

logger = logging.getLogger(__name__)

# "No limit" for shifts and windows: 68 years of seconds. Every time must stay
# below it (VROOM silently serves nothing with times from 2**32 on).
UNLIMITED = 2**31 - 1


class Break(NamedTuple):
    """A rest the technician takes: starts in ``[earliest, latest]``, lasts ``duration``."""

    earliest: int
    latest: int
    duration: int


@dataclass(frozen=True)
class Vehicle:
    """A technician's day: where it starts and ends, what it can do, when it works."""

    id: str
    start: int  # location index where the day starts (home base, outlet, current position)
    end: int | None = None  # location index where the day ends; None: at the last job
    skills: frozenset[int] = frozenset()
    capacity: int | None = None  # total job demand it can carry; None: unlimited
    shift: tuple[int, int] = (0, UNLIMITED)  # leaves start no earlier, reaches end no later
    breaks: tuple[Break, ...] = ()
    max_jobs: int | None = None


@dataclass(frozen=True)
class Job:
    """One visit: where, how long, who may do it, and when service may start."""

    id: str
    location: int
    service: int = 0
    skills: frozenset[int] = frozenset()  # all required
    priority: int = 0  # 0–100, higher is kept first when not everything fits
    time_windows: tuple[tuple[int, int], ...] = ()  # service start windows; () means any time
    demand: int = 0
    pinned_vehicle: str | None = None  # accepted / en route / on site: only this vehicle
    pinned_first: bool = False  # and as its first stop


@dataclass(frozen=True, eq=False)
class Problem:
    """Matrices, vehicles and jobs. ``costs`` is what the solver minimises (durations if None).

    Validated on construction: a malformed problem raises ``ValueError``.
    The matrices are stored as read-only ``int64`` arrays.
    """

    durations: np.ndarray
    vehicles: tuple[Vehicle, ...]
    jobs: tuple[Job, ...]
    costs: np.ndarray | None = None
    _job_by_id: Mapping[str, Job] = field(init=False, repr=False)
    _vehicle_by_id: Mapping[str, Vehicle] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        durations = _as_matrix(self.durations, "durations")
        costs = None if self.costs is None else _as_matrix(self.costs, "costs")
        if costs is not None and costs.shape != durations.shape:
            raise ValueError("costs and durations must have the same shape")
        object.__setattr__(self, "durations", durations)
        object.__setattr__(self, "costs", costs)
        object.__setattr__(self, "vehicles", tuple(self.vehicles))
        object.__setattr__(self, "jobs", tuple(self.jobs))
        size = durations.shape[0]
        vehicles = {v.id: v for v in self.vehicles}
        jobs = {j.id: j for j in self.jobs}
        if len(vehicles) != len(self.vehicles) or len(jobs) != len(self.jobs):
            raise ValueError("vehicle and job ids must be unique")
        for v in self.vehicles:
            for index in (v.start, v.end):
                if index is not None and not 0 <= index < size:
                    raise ValueError(f"vehicle {v.id}: location {index} outside the matrix")
            if v.shift[0] > v.shift[1]:
                raise ValueError(f"vehicle {v.id}: shift ends before it starts")
            for b in v.breaks:
                if b.earliest > b.latest or b.duration < 0:
                    raise ValueError(f"vehicle {v.id}: malformed break {b}")
            if (v.capacity is not None and v.capacity < 0) or (
                v.max_jobs is not None and v.max_jobs < 0
            ):
                raise ValueError(f"vehicle {v.id}: negative capacity or max_jobs")
        first_pins: set[str] = set()
        for j in self.jobs:
            if not 0 <= j.location < size:
                raise ValueError(f"job {j.id}: location {j.location} outside the matrix")
            if not 0 <= j.priority <= 100:
                raise ValueError(f"job {j.id}: priority must be 0–100")
            if j.service < 0 or j.demand < 0:
                raise ValueError(f"job {j.id}: negative service or demand")
            previous_end = None
            for a, b in j.time_windows:
                if a > b or (previous_end is not None and a <= previous_end):
                    raise ValueError(f"job {j.id}: windows must be sorted and disjoint")
                previous_end = b
            if j.pinned_vehicle is not None and j.pinned_vehicle not in vehicles:
                raise ValueError(f"job {j.id}: pinned to unknown vehicle {j.pinned_vehicle}")
            if j.pinned_first:
                if j.pinned_vehicle is None:
                    raise ValueError(f"job {j.id}: pinned_first needs pinned_vehicle")
                if j.pinned_vehicle in first_pins:
                    raise ValueError(f"vehicle {j.pinned_vehicle}: two jobs pinned first")
                first_pins.add(j.pinned_vehicle)
        object.__setattr__(self, "_job_by_id", jobs)
        object.__setattr__(self, "_vehicle_by_id", vehicles)

    @property
    def cost_matrix(self) -> np.ndarray:
        return self.durations if self.costs is None else self.costs

    def job(self, job_id: str) -> Job:
        return self._job_by_id[job_id]

    def vehicle(self, vehicle_id: str) -> Vehicle:
        return self._vehicle_by_id[vehicle_id]


class Stop(NamedTuple):
    job_id: str
    arrival: int  # reaches the job's location
    service_start: int  # >= arrival: after waiting for the window and any break taken there


class BreakTaken(NamedTuple):
    index: int  # position in Vehicle.breaks
    start: int
    after_stops: int  # how many stops of the route come before it


@dataclass(frozen=True)
class Route:
    """One vehicle's plan. Times come from the matrix, earliest start everywhere."""

    vehicle_id: str
    stops: tuple[Stop, ...]
    departure: int  # leaves the start location
    finish: int  # reaches the end location (end=None: finishes the last service)
    breaks: tuple[BreakTaken, ...] = ()

    @property
    def job_ids(self) -> tuple[str, ...]:
        return tuple(stop.job_id for stop in self.stops)


@dataclass(frozen=True)
class Solution:
    """Routes (used vehicles only), jobs left out, and the plan's totals.

    ``cost`` sums the cost matrix and ``duration`` the duration matrix over
    every drive, start to end; ``seconds`` is the engine's wall time.
    """

    routes: tuple[Route, ...]
    unassigned: tuple[str, ...]
    cost: int
    duration: int
    engine: str
    seconds: float

    def route_for(self, vehicle_id: str) -> Route | None:
        return next((r for r in self.routes if r.vehicle_id == vehicle_id), None)

    def vehicle_of(self, job_id: str) -> str | None:
        for route in self.routes:
            if job_id in route.job_ids:
                return route.vehicle_id
        return None


class Engine(Protocol):
    """A routing solver. ``solve`` returns within about ``time_limit`` seconds.

    ``seed`` makes randomised engines repeatable where they can be (see each
    engine's docstring for what is deterministic).
    """

    name: str

    def solve(self, problem: Problem, *, time_limit: float, seed: int = 1) -> Solution: ...


class UnsupportedProblem(ValueError):
    """The engine cannot express a constraint of this problem (e.g. breaks in PyVRP)."""


# Schedules: one definition of time for every engine.


def _as_matrix(matrix: np.ndarray, name: str) -> np.ndarray:
    array = np.asarray(matrix)
    if array.ndim != 2 or array.shape[0] != array.shape[1] or array.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty square matrix")
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must hold integers")
    if (array < 0).any():
        raise ValueError(f"{name} must not be negative")
    array = array.astype(np.int64, copy=True)
    array.setflags(write=False)
    return array


def _window_start(job: Job, ready: int) -> int | None:
    """Earliest service start at or after ``ready`` inside a window, or None."""
    if not job.time_windows:
        return ready
    for a, b in job.time_windows:
        if ready <= b:
            return max(ready, a)
    return None


def _through_gap(
    now: int, travel: int, breaks: Sequence[tuple[int, Break]]
) -> tuple[int, int, list[tuple[int, int]]] | None:
    """Drive ``travel`` from ``now`` taking ``breaks`` (in order) as early as each allows.

    Returns (arrival at the destination, time ready there, [(break index, start)]),
    or None when a break cannot start before its latest start.
    """
    remaining, arrival, taken = travel, None, []
    for index, brk in breaks:
        start = max(now, brk.earliest)
        if start > brk.latest:
            return None
        driven = min(remaining, start - now)
        remaining -= driven
        if remaining == 0 and arrival is None:
            arrival = now + driven
        taken.append((index, start))
        now = start + brk.duration
    ready = now + remaining
    return (ready if arrival is None else arrival), ready, taken


@dataclass
class _Timeline:
    stops: list[Stop]
    breaks: list[BreakTaken]
    finish: int


def _simulate(
    problem: Problem,
    vehicle: Vehicle,
    jobs: Sequence[Job],
    break_after: Mapping[int, int] | None,
    closed: bool,
) -> _Timeline | int:
    """Earliest-start schedule of ``jobs`` in order; the failing position if there is none.

    ``break_after`` maps break index to the number of stops before it; None
    places breaks greedily (late as allowed, earlier only when it costs
    nothing). ``closed``: the route ends here (all breaks taken, the end
    reached within the shift); otherwise only the stops are checked.
    """
    durations = problem.durations
    pending = sorted(enumerate(vehicle.breaks), key=lambda item: (item[1].earliest, item[0]))
    now, location = vehicle.shift[0], vehicle.start
    stops: list[Stop] = []
    taken: list[BreakTaken] = []
    for position in range(len(jobs) + 1):
        last = position == len(jobs)
        if last:
            if not closed:
                return _Timeline(stops, taken, now)
            target = vehicle.end
            travel = 0 if target is None else int(durations[location, target])
            job = None
        else:
            job = jobs[position]
            travel = int(durations[location, job.location])
        if break_after is not None:
            in_gap = [item for item in pending if break_after.get(item[0]) == position]
            if last:
                in_gap = pending  # a used vehicle takes every break
        elif last:
            in_gap = pending
        else:
            in_gap = _greedy_breaks(now, travel, job, pending)
        gap = _through_gap(now, travel, in_gap)
        if gap is None:
            return position
        arrival, ready, took = gap
        pending = [item for item in pending if item not in in_gap]
        taken.extend(BreakTaken(index, start, position) for index, start in took)
        if job is None:
            if ready > vehicle.shift[1]:
                return position
            return _Timeline(stops, taken, ready)
        start = _window_start(job, ready)
        if start is None or start + job.service > vehicle.shift[1]:
            return position
        stops.append(Stop(job.id, arrival, start))
        now, location = start + job.service, job.location
    raise AssertionError("unreachable")


def _greedy_breaks(
    now: int, travel: int, job: Job, pending: Sequence[tuple[int, Break]]
) -> list[tuple[int, Break]]:
    """Breaks to take before ``job``: those that cannot wait, and those that cost nothing."""
    chosen: list[tuple[int, Break]] = []
    for item in pending:
        without = _through_gap(now, travel, chosen)
        with_it = _through_gap(now, travel, [*chosen, item])
        if with_it is None:
            break
        start_without = None if without is None else _window_start(job, without[1])
        start_with = _window_start(job, with_it[1])
        free = start_with is not None and start_with == start_without
        # Postponed, the break could start no earlier than the end of this job.
        must = start_without is None or max(start_without + job.service, item[1].earliest) > (
            item[1].latest
        )
        if free or must:
            chosen.append(item)
        else:
            break
    return chosen


def plan_route(
    problem: Problem,
    vehicle: Vehicle,
    job_ids: Iterable[str],
    break_after: Mapping[int, int] | None = None,
) -> tuple[Route | None, list[str]]:
    """Schedule ``job_ids`` in this order on ``vehicle``; returns (route, jobs dropped).

    Jobs the vehicle may not serve (skills, pin, capacity, ``max_jobs``,
    window or shift missed) are dropped, in order, so the route returned is
    always valid; engines list them as unassigned. ``break_after`` (break
    index -> stops before it, counted in ``job_ids``) keeps an engine's break
    positions; None places them greedily. No jobs left: (None, dropped).
    """
    wanted = [problem.job(job_id) for job_id in job_ids]
    if not wanted:
        return None, []
    # The usual case, in one pass: everything fits as given.
    if _eligible(vehicle, wanted):
        timeline = _simulate(problem, vehicle, wanted, break_after, closed=True)
        if isinstance(timeline, _Timeline):
            return _route(vehicle, timeline), []

    kept: list[Job] = []
    kept_at: list[int] = []  # position in ``wanted`` of each kept job
    dropped: list[str] = []
    load = 0

    def positions() -> dict[int, int] | None:
        if break_after is None:
            return None
        return {b: sum(1 for p in kept_at if p < after) for b, after in break_after.items()}

    for at, job in enumerate(wanted):
        allowed = (
            job.skills <= vehicle.skills
            and job.pinned_vehicle in (None, vehicle.id)
            and (not job.pinned_first or not kept)
            and (vehicle.capacity is None or load + job.demand <= vehicle.capacity)
            and (vehicle.max_jobs is None or len(kept) < vehicle.max_jobs)
        )
        if allowed:
            kept.append(job)
            kept_at.append(at)
            if isinstance(_simulate(problem, vehicle, kept, positions(), closed=False), int):
                kept.pop()
                kept_at.pop()
                allowed = False
        if allowed:
            load += job.demand
        else:
            dropped.append(job.id)
    while kept:
        timeline = _simulate(problem, vehicle, kept, positions(), closed=True)
        if isinstance(timeline, _Timeline):
            break
        dropped.append(kept.pop().id)  # the end or a break is out of reach: shorten the day
        kept_at.pop()
    if dropped:
        logger.debug("vehicle %s: dropped %s", vehicle.id, dropped)
    if not kept:
        return None, dropped
    return _route(vehicle, timeline), dropped


def _eligible(vehicle: Vehicle, jobs: Sequence[Job]) -> bool:
    """Skills, pins, capacity and job count allow ``jobs`` on ``vehicle`` (times aside)."""
    return (
        all(j.skills <= vehicle.skills and j.pinned_vehicle in (None, vehicle.id) for j in jobs)
        and not any(j.pinned_first for j in jobs[1:])
        and (vehicle.capacity is None or sum(j.demand for j in jobs) <= vehicle.capacity)
        and (vehicle.max_jobs is None or len(jobs) <= vehicle.max_jobs)
    )


def _route(vehicle: Vehicle, timeline: _Timeline) -> Route:
    return Route(
        vehicle_id=vehicle.id,
        stops=tuple(timeline.stops),
        departure=vehicle.shift[0],
        finish=timeline.finish,
        breaks=tuple(sorted(timeline.breaks, key=lambda b: (b.start, b.index))),
    )


def route_totals(problem: Problem, vehicle: Vehicle, job_ids: Sequence[str]) -> tuple[int, int]:
    """(cost, duration) of driving start -> jobs -> end."""
    path = [vehicle.start, *(problem.job(j).location for j in job_ids)]
    if vehicle.end is not None:
        path.append(vehicle.end)
    frm, to = np.asarray(path[:-1]), np.asarray(path[1:])
    return int(problem.cost_matrix[frm, to].sum()), int(problem.durations[frm, to].sum())


def assemble(
    problem: Problem,
    sequences: Mapping[str, Sequence[str]],
    *,
    engine: str,
    seconds: float,
    break_after: Mapping[str, Mapping[int, int]] | None = None,
) -> Solution:
    """Turn an engine's job orders per vehicle into a checked :class:`Solution`.

    Every route is rescheduled with :func:`plan_route`; a job the schedule
    rejects is unassigned (and logged: it means the engine's model and ours
    disagree). Jobs in no sequence are unassigned, in problem order.
    """
    routes: list[Route] = []
    placed: set[str] = set()
    cost = duration = 0
    for vehicle in problem.vehicles:
        job_ids = list(sequences.get(vehicle.id, ()))
        if not job_ids:
            continue
        # Vehicles without engine positions (or no break_after at all): greedy breaks.
        positions = None if break_after is None else break_after.get(vehicle.id)
        route, dropped = plan_route(problem, vehicle, job_ids, positions)
        if dropped:
            logger.warning("%s: vehicle %s could not keep %s", engine, vehicle.id, dropped)
        if route is None:
            continue
        routes.append(route)
        placed.update(route.job_ids)
        route_cost, route_duration = route_totals(problem, vehicle, route.job_ids)
        cost += route_cost
        duration += route_duration
    unassigned = tuple(j.id for j in problem.jobs if j.id not in placed)
    return Solution(tuple(routes), unassigned, cost, duration, engine, seconds)


# Pinned-first jobs for solvers without a "first stop" constraint: the stop
# is fixed here, and the solver plans the rest of the day from there.


@dataclass(frozen=True)
class FirstStops:
    """A problem with every pinned-first job already done, and what was fixed."""

    problem: Problem  # vehicles start where their first job ends, when it ends
    first: Mapping[str, str]  # vehicle id -> pinned-first job id kept at its head
    breaks_before: Mapping[str, frozenset[int]]  # breaks taken before that job
    break_index: Mapping[str, tuple[int, ...]]  # reduced vehicle's breaks -> original index
    unreachable: tuple[str, ...]  # pinned-first jobs that cannot be done


def fix_first_stops(problem: Problem) -> FirstStops:
    """Serve each pinned-first job first, earliest, and hand the rest of the day on.

    Jobs pinned first that their vehicle cannot reach in time are returned
    as ``unreachable``. Vehicles with no job allowance left, and vehicles
    that cannot work at all (their breaks, or the drive from start to end,
    do not fit in the shift), are left out of the reduced problem.
    """
    first: dict[str, str] = {}
    before: dict[str, frozenset[int]] = {}
    index_map: dict[str, tuple[int, ...]] = {}
    unreachable: list[str] = []
    vehicles: list[Vehicle] = []
    pinned_first = {j.pinned_vehicle: j for j in problem.jobs if j.pinned_first}
    for vehicle in problem.vehicles:
        if isinstance(_simulate(problem, vehicle, [], None, closed=True), int):
            if vehicle.id in pinned_first:
                unreachable.append(pinned_first[vehicle.id].id)
            continue
        job = pinned_first.get(vehicle.id)
        if job is None:
            vehicles.append(vehicle)
            index_map[vehicle.id] = tuple(range(len(vehicle.breaks)))
            continue
        route, _ = plan_route(problem, vehicle, [job.id])
        timeline = _simulate(problem, vehicle, [job], None, closed=False)
        if route is None or isinstance(timeline, int):
            unreachable.append(job.id)
            vehicles.append(vehicle)
            index_map[vehicle.id] = tuple(range(len(vehicle.breaks)))
            continue
        first[vehicle.id] = job.id
        done = frozenset(b.index for b in timeline.breaks)
        before[vehicle.id] = done
        remaining = tuple(i for i in range(len(vehicle.breaks)) if i not in done)
        index_map[vehicle.id] = remaining
        capacity = None if vehicle.capacity is None else vehicle.capacity - job.demand
        max_jobs = None if vehicle.max_jobs is None else vehicle.max_jobs - 1
        if max_jobs == 0:
            continue
        vehicles.append(
            replace(
                vehicle,
                start=job.location,
                shift=(timeline.finish, vehicle.shift[1]),
                breaks=tuple(vehicle.breaks[i] for i in remaining),
                capacity=capacity,
                max_jobs=max_jobs,
            )
        )
    fixed = set(first.values()) | set(unreachable)
    kept = {v.id for v in vehicles}
    reduced = Problem(
        durations=problem.durations,
        costs=problem.costs,
        vehicles=tuple(vehicles),
        # Jobs pinned to a vehicle left out cannot be served by anyone.
        jobs=tuple(
            j for j in problem.jobs if j.id not in fixed and j.pinned_vehicle in (None, *kept)
        ),
    )
    return FirstStops(reduced, first, before, index_map, tuple(unreachable))


def restore_first_stops(
    fixed: FirstStops,
    sequences: Mapping[str, Sequence[str]],
    break_after: Mapping[str, Mapping[int, int]] | None,
) -> tuple[dict[str, list[str]], dict[str, dict[int, int]] | None]:
    """Put the fixed first stops back in front of the solver's sequences.

    Break positions from the solver (reduced vehicles' indices) are mapped
    back to the original breaks and shifted by the first stop; breaks taken
    before the first stop stay at position 0.
    """
    full: dict[str, list[str]] = {}
    positions: dict[str, dict[int, int]] | None = None if break_after is None else {}
    vehicle_ids = set(sequences) | set(fixed.first)
    for vehicle_id in vehicle_ids:
        head = [fixed.first[vehicle_id]] if vehicle_id in fixed.first else []
        tail = list(sequences.get(vehicle_id, ()))
        full[vehicle_id] = head + tail
        if positions is None:
            continue
        mapped: dict[int, int] = {}
        solver = (break_after or {}).get(vehicle_id, {})
        originals = fixed.break_index.get(vehicle_id, ())
        for reduced_index, after in solver.items():
            mapped[originals[reduced_index]] = after + len(head)
        for index in fixed.breaks_before.get(vehicle_id, ()):
            mapped[index] = 0
        if head and not tail:
            continue  # only the fixed stop: breaks are placed greedily
        positions[vehicle_id] = mapped
    return full, positions
