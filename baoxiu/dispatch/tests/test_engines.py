"""Routing engines: every plan keeps every rule, checked here from the matrix alone.

The checker below is written from the rules in ``engines/base.py`` and
recomputes every time from the duration matrix; it does not use the
engines' scheduling code or their totals.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from baoxiu.dispatch.engines import (
    Break,
    Job,
    Problem,
    Solution,
    UnsupportedProblem,
    Vehicle,
    get_engine,
)

ENGINES = ("fake", "vroom", "pyvrp")
WITH_BREAKS = ("fake", "vroom")
SEEDS = (1, 2, 3)
LIMIT = 5.0  # seconds; the engines below are configured to finish well before


def engine(name: str):
    # Small, fixed search efforts, so each plan is quick and reproducible.
    options = {
        "vroom": {"exploration_level": 2, "depth": 2},
        "pyvrp": {"max_iterations": 300},
    }.get(name, {})
    return get_engine(name, **options)


# The independent checker.


def violations(problem: Problem, solution: Solution) -> list[str]:
    """Every broken rule, as text; an empty list means the plan is valid."""
    found: list[str] = []
    durations, costs = problem.durations, problem.cost_matrix
    jobs = {j.id: j for j in problem.jobs}
    vehicles = {v.id: v for v in problem.vehicles}

    served = Counter(s.job_id for r in solution.routes for s in r.stops)
    for job_id, times in served.items():
        if times > 1 or job_id in solution.unassigned:
            found.append(f"{job_id} served {times} times / also unassigned")
    if set(served) | set(solution.unassigned) != set(jobs):
        found.append("served + unassigned is not the set of jobs")
    if len(set(r.vehicle_id for r in solution.routes)) != len(solution.routes):
        found.append("a vehicle has two routes")

    total_cost = 0
    for route in solution.routes:
        v = vehicles[route.vehicle_id]
        stops = route.stops
        if not stops:
            found.append(f"{v.id}: empty route listed")
            continue
        if v.capacity is not None and sum(jobs[s.job_id].demand for s in stops) > v.capacity:
            found.append(f"{v.id}: over capacity")
        if v.max_jobs is not None and len(stops) > v.max_jobs:
            found.append(f"{v.id}: more than max_jobs")
        for position, stop in enumerate(stops):
            job = jobs[stop.job_id]
            if not job.skills <= v.skills:
                found.append(f"{job.id}: {v.id} lacks skills")
            if job.pinned_vehicle not in (None, v.id):
                found.append(f"{job.id}: pinned to {job.pinned_vehicle}, planned on {v.id}")
            if job.pinned_first and position != 0:
                found.append(f"{job.id}: pinned first, planned at stop {position}")

        taken = Counter(b.index for b in route.breaks)
        if sorted(taken) != list(range(len(v.breaks))) or any(k > 1 for k in taken.values()):
            found.append(f"{v.id}: breaks taken {dict(taken)} of {len(v.breaks)}")
        for b in route.breaks:
            rule = v.breaks[b.index]
            if not rule.earliest <= b.start <= rule.latest:
                found.append(f"{v.id}: break {b.index} starts at {b.start}, outside its window")

        if route.departure < v.shift[0]:
            found.append(f"{v.id}: leaves before its shift")
        free_from, here = route.departure, v.start
        path = [v.start]
        for position in range(len(stops) + 1):
            last = position == len(stops)
            if last:
                there = v.end if v.end is not None else here
                ready = route.finish
            else:
                stop = stops[position]
                job = jobs[stop.job_id]
                there, ready = job.location, stop.service_start
                if stop.arrival < free_from + int(durations[here, there]):
                    found.append(f"{job.id}: arrives sooner than the drive allows")
                if stop.arrival > stop.service_start:
                    found.append(f"{job.id}: service starts before arrival")
                if job.time_windows and not any(
                    a <= stop.service_start <= b for a, b in job.time_windows
                ):
                    found.append(f"{job.id}: service starts at {stop.service_start}, no window")
            rests = sorted(
                (b.start, v.breaks[b.index].duration)
                for b in route.breaks
                if b.after_stops == position
            )
            clock = free_from
            for start, duration in rests:
                if start < clock:
                    found.append(f"{v.id}: break at {start} overlaps work or another break")
                clock = start + duration
            if clock > ready:
                found.append(f"{v.id}: break runs into the next service")
            resting = sum(d for _, d in rests)
            if ready - free_from - resting < int(durations[here, there]):
                found.append(f"{v.id}: no time to drive to stop {position}")
            if last:
                if route.finish > v.shift[1]:
                    found.append(f"{v.id}: finishes at {route.finish}, after its shift")
            else:
                if stop.service_start + job.service > v.shift[1]:
                    found.append(f"{job.id}: service ends after the shift")
                free_from, here = stop.service_start + job.service, there
                path.append(there)
        if v.end is not None:
            path.append(v.end)
        total_cost += sum(int(costs[a, b]) for a, b in zip(path, path[1:], strict=False))
    if total_cost != solution.cost:
        found.append(f"cost {solution.cost} but the routes cost {total_cost}")
    return found


# Generated problems.


def city(rng: random.Random, size: int) -> np.ndarray:
    """Travel times (seconds) between random points, 30 km/h, Manhattan with a little noise."""
    points = [(rng.uniform(0, 10_000), rng.uniform(0, 10_000)) for _ in range(size)]
    matrix = np.zeros((size, size), dtype=np.int64)
    for i, (xi, yi) in enumerate(points):
        for j, (xj, yj) in enumerate(points):
            if i != j:
                matrix[i, j] = int((abs(xi - xj) + abs(yi - yj)) / 8.33) + rng.randint(0, 60)
    return matrix


def day(seed: int, *, breaks: bool = True) -> Problem:
    """A small technicians' day with every kind of rule, and jobs that cannot be served."""
    rng = random.Random(seed)
    hour = 3600
    vehicles = []
    for k in range(4):
        shift_start = 8 * hour + rng.choice((0, hour))
        vehicles.append(
            Vehicle(
                id=f"tech{k}",
                start=k,
                end=k if k % 2 == 0 else None,
                skills=frozenset(rng.sample((1, 2, 3), rng.randint(1, 3))),
                capacity=rng.choice((None, 6, 8)),
                shift=(shift_start, shift_start + 8 * hour),
                breaks=((Break(12 * hour, 13 * hour, 30 * 60),) if breaks and k != 3 else ()),
                max_jobs=rng.choice((None, 6)),
            )
        )
    jobs = []
    location = len(vehicles)
    for n in range(22):
        opens = rng.randrange(8 * hour, 15 * hour, 900)
        windows: tuple[tuple[int, int], ...] = ()
        kind = rng.random()
        if kind < 0.5:
            windows = ((opens, opens + rng.choice((1, 2, 3)) * hour),)
        elif kind < 0.65:
            windows = ((opens, opens + hour), (opens + 3 * hour, opens + 4 * hour))
        jobs.append(
            Job(
                id=f"job{n:02d}",
                location=location + n,
                service=rng.choice((20, 30, 45, 60)) * 60,
                skills=frozenset(rng.sample((1, 2, 3), rng.choice((0, 0, 1)))),
                priority=rng.choice((0, 10, 50, 100)),
                time_windows=windows,
                demand=rng.randint(0, 2),
            )
        )
    # Pins: one job pinned to tech1, one pinned first on tech2 (its window is generous).
    jobs[0] = replace(jobs[0], pinned_vehicle="tech1", skills=frozenset())
    jobs[1] = replace(
        jobs[1],
        pinned_vehicle="tech2",
        pinned_first=True,
        skills=frozenset(),
        time_windows=((8 * hour, 12 * hour),),
    )
    location += len(jobs)
    impossible = [
        Job(id="needs-skill-9", location=location, service=600, skills=frozenset({9})),
        Job(
            id="at-night", location=location + 1, service=600, time_windows=((2 * hour, 3 * hour),)
        ),
        Job(id="too-long", location=location + 2, service=12 * hour),
    ]
    return Problem(
        durations=city(rng, location + len(impossible)),
        vehicles=tuple(vehicles),
        jobs=(*jobs, *impossible),
    )


# The engines.


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", ENGINES)
def test_every_rule_holds_and_impossible_jobs_are_unassigned(name, seed, caplog):
    problem = day(seed, breaks=name in WITH_BREAKS)

    with caplog.at_level(logging.WARNING, logger="baoxiu.dispatch.engines"):
        solution = engine(name).solve(problem, time_limit=LIMIT, seed=seed)

    assert violations(problem, solution) == []
    # The engine's own plan already kept every rule: no stop had to be dropped.
    assert caplog.records == []
    assert {"needs-skill-9", "at-night", "too-long"} <= set(solution.unassigned)
    assert solution.vehicle_of("job01") == "tech2"  # reachable, so kept, and first
    assert solution.route_for("tech2").stops[0].job_id == "job01"
    assert solution.vehicle_of("job00") in (None, "tech1")
    assert len(solution.unassigned) < len(problem.jobs) // 2
    assert solution.engine == name


@pytest.mark.parametrize("name", ENGINES)
def test_same_seed_same_plan(name):
    problem = day(7, breaks=name in WITH_BREAKS)

    first = engine(name).solve(problem, time_limit=LIMIT, seed=5)
    second = engine(name).solve(problem, time_limit=LIMIT, seed=5)

    assert first.routes == second.routes
    assert first.unassigned == second.unassigned


def two_stops(**vehicle_options) -> Problem:
    """One vehicle at 0, jobs at 1 and 2, ten minutes apart from everything."""
    durations = np.full((3, 3), 600)
    np.fill_diagonal(durations, 0)
    return Problem(
        durations=durations,
        vehicles=(Vehicle(id="v", start=0, end=0, **vehicle_options),),
        jobs=(
            Job(id="low", location=1, service=600, priority=10),
            Job(id="high", location=2, service=600, priority=90),
        ),
    )


@pytest.mark.parametrize("name", ENGINES)
def test_when_only_one_job_fits_the_higher_priority_is_kept(name):
    problem = two_stops(max_jobs=1)

    solution = engine(name).solve(problem, time_limit=LIMIT)

    assert [r.job_ids for r in solution.routes] == [("high",)]
    assert solution.unassigned == ("low",)
    assert violations(problem, solution) == []


@pytest.mark.parametrize("name", ENGINES)
def test_times_come_from_the_matrix(name):
    problem = two_stops(shift=(1000, 10_000))

    solution = engine(name).solve(problem, time_limit=LIMIT)

    (route,) = solution.routes
    first, second = route.stops
    assert (first.arrival, first.service_start) == (1600, 1600)
    assert (second.arrival, second.service_start) == (2800, 2800)
    assert route.finish == 4000
    assert (solution.cost, solution.duration) == (1800, 1800)


@pytest.mark.parametrize("name", ENGINES)
def test_pinned_first_job_out_of_reach_is_unassigned_not_late(name):
    durations = np.array([[0, 5000], [5000, 0]])
    problem = Problem(
        durations=durations,
        vehicles=(Vehicle(id="v", start=0, shift=(0, 20_000)),),
        jobs=(
            Job(
                id="en-route",
                location=1,
                time_windows=((0, 1000),),
                pinned_vehicle="v",
                pinned_first=True,
            ),
        ),
    )

    solution = engine(name).solve(problem, time_limit=LIMIT)

    assert solution.routes == ()
    assert solution.unassigned == ("en-route",)


@pytest.mark.parametrize("name", ENGINES)
def test_a_job_pinned_to_a_full_vehicle_is_unassigned(name):
    durations = np.full((4, 4), 60)
    np.fill_diagonal(durations, 0)
    problem = Problem(
        durations=durations,
        vehicles=(
            Vehicle(id="busy", start=0, max_jobs=1),
            Vehicle(id="free", start=0),
        ),
        jobs=(
            Job(id="on-site", location=1, pinned_vehicle="busy", pinned_first=True),
            Job(id="accepted", location=2, pinned_vehicle="busy"),
            Job(id="open", location=3),
        ),
    )

    solution = engine(name).solve(problem, time_limit=LIMIT)

    assert [(r.vehicle_id, r.job_ids) for r in solution.routes] == [
        ("busy", ("on-site",)),
        ("free", ("open",)),
    ]
    assert solution.unassigned == ("accepted",)


@pytest.mark.parametrize("name", WITH_BREAKS)
def test_a_break_that_cannot_be_taken_keeps_the_vehicle_idle(name):
    problem = two_stops(shift=(0, 3000), breaks=(Break(0, 100, 5000),))

    solution = engine(name).solve(problem, time_limit=LIMIT)

    assert solution.routes == ()
    assert set(solution.unassigned) == {"low", "high"}


def test_the_checker_catches_a_stop_reached_too_soon_and_a_missing_skill():
    problem = two_stops(shift=(1000, 10_000))
    solution = engine("fake").solve(problem, time_limit=LIMIT)
    (route,) = solution.routes
    first, second = route.stops
    too_soon = replace(
        solution,
        routes=(replace(route, stops=(first._replace(arrival=1000, service_start=1000), second)),),
    )
    unskilled = replace(
        problem,
        jobs=(
            replace(problem.job(first.job_id), skills=frozenset({1})),
            problem.job(second.job_id),
        ),
    )

    assert violations(problem, solution) == []
    assert violations(problem, too_soon) == [
        f"{first.job_id}: arrives sooner than the drive allows",
        "v: no time to drive to stop 0",
    ]
    assert violations(unskilled, solution) == [f"{first.job_id}: v lacks skills"]


def test_pyvrp_refuses_breaks_instead_of_ignoring_them():
    problem = two_stops(breaks=(Break(0, 100, 600),))

    with pytest.raises(UnsupportedProblem):
        engine("pyvrp").solve(problem, time_limit=LIMIT)


def test_unknown_engine_is_an_error():
    with pytest.raises(ValueError, match="unknown routing engine"):
        get_engine("osrm")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"jobs": (Job(id="j", location=5),)}, "outside the matrix"),
        ({"jobs": (Job(id="j", location=1, priority=101),)}, "priority"),
        ({"jobs": (Job(id="j", location=1, time_windows=((5, 1),)),)}, "windows"),
        ({"jobs": (Job(id="j", location=1, pinned_vehicle="nobody"),)}, "unknown vehicle"),
        ({"jobs": (Job(id="j", location=1, pinned_first=True),)}, "pinned_first"),
        ({"durations": np.array([[0, -1], [1, 0]])}, "negative"),
        ({"durations": np.array([[0.0, 1.5], [1.0, 0.0]])}, "integers"),
    ],
)
def test_malformed_problems_are_rejected(change, message):
    arguments = {
        "durations": np.array([[0, 1], [1, 0]]),
        "vehicles": (Vehicle(id="v", start=0),),
        "jobs": (),
    }
    with pytest.raises(ValueError, match=message):
        Problem(**{**arguments, **change})
