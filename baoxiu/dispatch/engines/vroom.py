"""VROOM (``pyvroom``): the field-service engine.

Used for immediate assignment and the periodic re-optimisation of a city's
day. Everything in :mod:`.base` maps onto VROOM directly, except two kinds
of pins:

- a job pinned to a vehicle gets an extra skill only that vehicle has;
- a pinned-first job is fixed before solving (:func:`~.base.fix_first_stops`):
  VROOM plans the vehicle's day from the end of that job.

VROOM first serves as many (and as important) jobs as it can, then
minimises the cost matrix; it leaves out what it cannot serve.

Search effort: VROOM runs ``nb_searches`` independent searches (each a
construction heuristic followed by local search), one after the other on
``threads=1``; ``exploration_level`` sets their number as VROOM's own
``-x`` does (32 at level 5). Each local search ends with ruin-and-recreate
rounds up to ``depth``: the default (``DEPTH``) is far more than VROOM's
``-x 5`` (depth 5) and meant to be cut short by the time limit, which VROOM
shares among the searches, so the whole limit is put to use. On the
Solomon benchmark this lowered VROOM's average gap from about 1.6 % (depth
5, 2–5 s) to about 1.0 % (10 s); see bench/README.md.

Deterministic for a given input when the time limit does not bind (small
problems, or a small ``depth``); otherwise how far each search gets depends
on the machine. ``seed`` is not used: VROOM has no randomness.
"""

from __future__ import annotations

import time
from datetime import timedelta

import numpy as np
import vroom
from vroom.solution.solution import Solution as VroomSolution

from .base import (
    Job,
    Problem,
    Solution,
    Vehicle,
    assemble,
    fix_first_stops,
    restore_first_stops,
)

PROFILE = "car"
DEPTH = 20
ANSWER_MARGIN = 0.05  # seconds
MAX_MATRIX_VALUE = 2**32 - 1  # VROOM's matrices are unsigned 32-bit


class VroomEngine:
    name = "vroom"

    def __init__(self, *, exploration_level: int = 5, depth: int = DEPTH, threads: int = 1) -> None:
        if not 0 <= exploration_level <= 5:
            raise ValueError("exploration_level is 0–5")
        self.nb_searches = _nb_searches(exploration_level)
        self.depth = depth
        self.threads = threads

    def solve(self, problem: Problem, *, time_limit: float, seed: int = 1) -> Solution:
        started = time.perf_counter()
        fixed = fix_first_stops(problem)
        sequences, break_after = self._run(fixed.problem, started + time_limit)
        sequences, break_after = restore_first_stops(fixed, sequences, break_after)
        return assemble(
            problem,
            sequences,
            break_after=break_after,
            engine=self.name,
            seconds=time.perf_counter() - started,
        )

    def _run(
        self, problem: Problem, deadline: float
    ) -> tuple[dict[str, list[str]], dict[str, dict[int, int]]]:
        """Job order and break positions per vehicle id."""
        if not problem.vehicles or not problem.jobs:
            return {}, {}
        model = vroom.Input()
        model.set_durations_matrix(PROFILE, _uint32(problem.durations))
        if problem.costs is not None:
            model.set_costs_matrix(PROFILE, _uint32(problem.costs))

        vehicle_index = {v.id: k for k, v in enumerate(problem.vehicles)}
        first_pin_skill = 1 + max(
            (s for item in (*problem.vehicles, *problem.jobs) for s in item.skills), default=0
        )
        with_amounts = any(j.demand for j in problem.jobs) or any(
            v.capacity is not None for v in problem.vehicles
        )
        unlimited = sum(j.demand for j in problem.jobs)

        for k, v in enumerate(problem.vehicles):
            capacity = [unlimited if v.capacity is None else v.capacity] if with_amounts else []
            model.add_vehicle(
                vroom.Vehicle(
                    k + 1,
                    start=v.start,
                    end=v.end,
                    profile=PROFILE,
                    capacity=capacity,
                    skills=set(v.skills) | {first_pin_skill + k},
                    time_window=vroom.TimeWindow(*v.shift),
                    breaks=_vroom_breaks(v),
                    **({} if v.max_jobs is None else {"max_tasks": v.max_jobs}),
                )
            )
        for index, job in enumerate(problem.jobs):
            skills = set(job.skills)
            if job.pinned_vehicle is not None:
                skills.add(first_pin_skill + vehicle_index[job.pinned_vehicle])
            model.add_job(_vroom_job(index + 1, job, skills, with_amounts))

        # Leave a little of the limit for reading the answer back.
        seconds = max(deadline - time.perf_counter() - ANSWER_MARGIN, 0.001)
        # pyvroom's public solve() does not pass ``depth`` on; its binding does.
        raw = model._solve(
            nb_searches=self.nb_searches,
            depth=self.depth,
            nb_threads=self.threads,
            timeout=timedelta(seconds=seconds),
        )
        answer = VroomSolution(raw).to_dict()
        sequences: dict[str, list[str]] = {}
        break_after: dict[str, dict[int, int]] = {}
        for route in answer.get("routes", []):
            vehicle = problem.vehicles[route["vehicle"] - 1]
            jobs: list[str] = []
            positions: dict[int, int] = {}
            for step in route["steps"]:
                if step["type"] == "job":
                    jobs.append(problem.jobs[step["id"] - 1].id)
                elif step["type"] == "break":
                    positions[step["id"] - 1] = len(jobs)
            sequences[vehicle.id] = jobs
            break_after[vehicle.id] = positions
        return sequences, break_after


def _vroom_job(vroom_id: int, job: Job, skills: set[int], with_amounts: bool) -> vroom.Job:
    return vroom.Job(
        vroom_id,
        location=job.location,
        default_service=job.service,
        delivery=[job.demand] if with_amounts else [],
        skills=skills,
        priority=job.priority,
        time_windows=[vroom.TimeWindow(a, b) for a, b in job.time_windows],
    )


def _vroom_breaks(vehicle: Vehicle) -> list[vroom.Break]:
    """Breaks in time order (as VROOM expects), windows clipped to the shift, ids = index + 1."""
    ordered = sorted(enumerate(vehicle.breaks), key=lambda item: (item[1][:2], item[0]))
    return [
        vroom.Break(
            index + 1,
            time_windows=[vroom.TimeWindow(max(b.earliest, vehicle.shift[0]), b.latest)],
            service=b.duration,
        )
        for index, b in ordered
    ]


def _uint32(matrix: np.ndarray) -> np.ndarray:
    if matrix.max(initial=0) > MAX_MATRIX_VALUE:
        raise ValueError("matrix values exceed VROOM's 32-bit range")
    return matrix.astype(np.uint32)


def _nb_searches(exploration_level: int) -> int:
    """How many searches VROOM's ``-x`` runs: 4 per level, plus 4 at 4 and 4 more at 5."""
    return 4 * (exploration_level + 1) + 4 * (exploration_level >= 4) + 4 * (exploration_level == 5)
