"""PyVRP: the batch-quality engine, for next-day appointment plans.

How :mod:`.base` maps onto PyVRP's ``ProblemData``:

- costs and durations become the distance and duration matrices; PyVRP
  minimises the distance (our cost) only;
- every job is an *optional* client whose prize (above any detour it can
  cause, and growing with ``priority``) makes serving it always worth it;
  what PyVRP cannot fit stays unvisited and is reported unassigned;
- several time windows per job: one client per window in a mutually
  exclusive client group;
- shifts are the vehicle types' ``tw_early``/``tw_late``; capacity is a load
  dimension, ``max_jobs`` a second one where each job weighs 1;
- ``end=None`` is a depot at an extra location every edge reaches at zero
  cost (and nothing leaves);
- skills and pins: vehicles that may serve different sets of jobs get
  their own routing profile in which the edges into the jobs they may not
  serve cost more than any prize and take longer than any shift, as in
  PyVRP's access-restriction example. Each job has its own location row for this, so
  expect one (jobs + depots)² matrix pair per distinct set of eligible jobs;
- pinned-first jobs are fixed before solving (:func:`~.base.fix_first_stops`).

Not supported: breaks. PyVRP has no rest periods, so a problem with any
break raises :class:`~.base.UnsupportedProblem` (use VROOM for the day's
live plan, where breaks matter).

Determinism: PyVRP is seeded; with ``max_iterations`` set and a time limit
that does not bind, the same problem and seed give the same plan. With a
binding time limit the number of iterations, and so the plan, depends on
the machine.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Hashable

import numpy as np
import pyvrp
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

from .base import (
    UNLIMITED,
    Problem,
    Solution,
    UnsupportedProblem,
    assemble,
    fix_first_stops,
    restore_first_stops,
)

logger = logging.getLogger(__name__)

# PyVRP's default ceiling on penalties per unit of excess load or time warp.
# Prizes here can be larger, and a penalty below a prize would make breaking
# a rule pay off, so the ceiling is raised to twice the largest prize.
DEFAULT_MAX_PENALTY = 100_000


class PyVRPEngine:
    name = "pyvrp"

    def __init__(self, *, max_iterations: int | None = None) -> None:
        self.max_iterations = max_iterations

    def solve(self, problem: Problem, *, time_limit: float, seed: int = 1) -> Solution:
        started = time.perf_counter()
        if any(v.breaks for v in problem.vehicles):
            raise UnsupportedProblem("PyVRP has no breaks; plan this problem with VROOM")
        fixed = fix_first_stops(problem)
        reduced = fixed.problem
        sequences: dict[str, list[str]] = {}
        if reduced.jobs and reduced.vehicles:
            model = _Model(reduced)
            remaining = max(time_limit - (time.perf_counter() - started), 0.01)
            stop: pyvrp.stop.StoppingCriterion = MaxRuntime(remaining)
            if self.max_iterations is not None:
                stop = MultipleCriteria([stop, MaxIterations(self.max_iterations)])
            params = pyvrp.SolveParams(
                penalty=pyvrp.PenaltyParams(
                    max_penalty=max(DEFAULT_MAX_PENALTY, 2 * model.max_prize)
                )
            )
            result = pyvrp.solve(
                model.data, stop=stop, seed=seed, collect_stats=False, params=params
            )
            if not result.best.is_feasible():
                logger.warning("pyvrp found no feasible plan; keeping what fits of the best one")
            sequences = model.sequences(result.best)
        sequences, _ = restore_first_stops(fixed, sequences, None)
        return assemble(problem, sequences, engine=self.name, seconds=time.perf_counter() - started)


class _Model:
    """``ProblemData`` for a problem without breaks or pinned-first jobs."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        jobs, vehicles = problem.jobs, problem.vehicles
        costs, durations = problem.cost_matrix, problem.durations

        # One client per job and window; each client gets its own location.
        self.client_job: list[int] = []
        windows: list[tuple[int, int]] = []
        for index, job in enumerate(jobs):
            for window in job.time_windows or ((0, np.iinfo(np.int64).max),):
                self.client_job.append(index)
                windows.append(window)

        # Depot locations: every start and end; None ends at a free "anywhere".
        depot_locations: list[int | None] = []
        for v in vehicles:
            for where in (v.start, v.end):
                if where not in depot_locations:
                    depot_locations.append(where)
        depot_of = {where: k for k, where in enumerate(depot_locations)}
        origin = [0 if where is None else where for where in depot_locations]
        origin += [jobs[j].location for j in self.client_job]
        origin_index = np.asarray(origin)
        size = len(origin)
        anywhere = [k for k, where in enumerate(depot_locations) if where is None]

        # Prizes: more than any detour, and the higher the priority the larger.
        unit = 2 * int(costs.max(initial=0)) + 1
        self.max_prize = 200 * unit
        # A missing edge: costlier than any prize, and too long for any shift
        # (PyVRP's own "missing" value times a penalty could overflow int64).
        no_distance, no_duration = 10 * self.max_prize, 2 * UNLIMITED + 1

        def matrix(base: np.ndarray, missing: int) -> np.ndarray:
            full = base[np.ix_(origin_index, origin_index)].astype(np.int64)
            for k in anywhere:
                full[k, :] = missing  # nothing starts there
                full[:, k] = 0  # every route may stop wherever it is
            np.fill_diagonal(full, 0)
            return full

        base_distance = matrix(costs, no_distance)
        base_duration = matrix(durations, no_duration)

        # Profiles: one per distinct set of jobs a vehicle may not serve.
        def barred(v) -> frozenset[int]:
            return frozenset(
                k
                for k, job in enumerate(jobs)
                if not job.skills <= v.skills or job.pinned_vehicle not in (None, v.id)
            )

        profile_of: dict[frozenset[int], int] = {}
        distance_matrices: list[np.ndarray] = []
        duration_matrices: list[np.ndarray] = []
        vehicle_profile: list[int] = []
        first_client = len(depot_locations)
        for v in vehicles:
            bar = barred(v)
            if bar not in profile_of:
                profile_of[bar] = len(distance_matrices)
                distance, duration = base_distance.copy(), base_duration.copy()
                columns = [first_client + c for c, j in enumerate(self.client_job) if j in bar]
                distance[:, columns] = no_distance
                duration[:, columns] = no_duration
                for blocked in (distance, duration):
                    np.fill_diagonal(blocked, 0)
                distance_matrices.append(distance)
                duration_matrices.append(duration)
            vehicle_profile.append(profile_of[bar])

        # Loads: demand against capacity, and one per job against max_jobs.
        use_demand = any(j.demand for j in jobs) or any(v.capacity is not None for v in vehicles)
        use_count = any(v.max_jobs is not None for v in vehicles)
        unlimited_demand = sum(j.demand for j in jobs)

        def load(job_index: int) -> list[int]:
            return [jobs[job_index].demand] * use_demand + [1] * use_count

        groups: list[pyvrp.ClientGroup] = []
        clients: list[pyvrp.Client] = []
        grouped = {j for j, k in Counter(self.client_job).items() if k > 1}
        group_of: dict[int, int] = {}
        for c, j in enumerate(self.client_job):
            group = None
            if j in grouped:
                if j not in group_of:
                    group_of[j] = len(groups)
                    groups.append(pyvrp.ClientGroup(required=False, name=jobs[j].id))
                group = group_of[j]
                groups[group].add_client(c)
            clients.append(
                pyvrp.Client(
                    location=first_client + c,
                    delivery=load(j),
                    service_duration=jobs[j].service,
                    tw_early=windows[c][0],
                    tw_late=windows[c][1],
                    prize=(100 + jobs[j].priority) * unit,
                    required=False,
                    group=group,
                    name=jobs[j].id,
                )
            )

        # Vehicle types: identical vehicles share one type.
        types: dict[Hashable, list[str]] = {}
        type_spec: dict[Hashable, dict[str, object]] = {}
        for v, profile in zip(vehicles, vehicle_profile, strict=True):
            capacity = [unlimited_demand if v.capacity is None else v.capacity] * use_demand
            capacity += [len(jobs) if v.max_jobs is None else v.max_jobs] * use_count
            key = (depot_of[v.start], depot_of[v.end], tuple(capacity), v.shift, profile)
            types.setdefault(key, []).append(v.id)
            type_spec[key] = dict(
                start_depot=key[0],
                end_depot=key[1],
                capacity=capacity,
                tw_early=v.shift[0],
                tw_late=v.shift[1],
                profile=profile,
            )
        self.type_vehicles = list(types.values())
        vehicle_types = [
            pyvrp.VehicleType(len(ids), **type_spec[key], name=",".join(ids))
            for key, ids in types.items()
        ]

        self.data = pyvrp.ProblemData(
            locations=[pyvrp.Location(0, 0) for _ in range(size)],
            clients=clients,
            depots=[pyvrp.Depot(location=k) for k in range(len(depot_locations))],
            vehicle_types=vehicle_types,
            distance_matrices=distance_matrices,
            duration_matrices=duration_matrices,
            groups=groups,
        )

    def sequences(self, solution: pyvrp.Solution) -> dict[str, list[str]]:
        """Job ids per vehicle id (an infeasible solution's too: the schedule drops what breaks)."""
        free = [list(ids) for ids in self.type_vehicles]
        plan: dict[str, list[str]] = {}
        for route in solution.routes():
            vehicle_id = free[route.vehicle_type()].pop(0)
            plan[vehicle_id] = [
                self.problem.jobs[self.client_job[a.idx]].id
                for a in route.schedule()
                if a.type == pyvrp.ActivityType.CLIENT
            ]
        return plan
