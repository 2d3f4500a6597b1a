"""A small deterministic engine in pure Python, for tests and the demo.

Cheapest insertion: jobs are taken pinned-first, then pinned, then by
priority (highest first), then by the end of their first window (earliest
first), then by id; each goes where it adds the least cost among all
vehicles and positions whose schedule (:func:`~.base.plan_route`) still
holds every rule; a job that fits nowhere is unassigned. No search beyond
that, no randomness (``seed`` is ignored), no native library.

It is quadratic in jobs per vehicle and re-schedules each candidate route,
which is fine for tests and a demo city, not for a real day's plan.
"""

from __future__ import annotations

import time

from .base import UNLIMITED, Job, Problem, Solution, assemble, plan_route, route_totals


class FakeEngine:
    name = "fake"

    def solve(self, problem: Problem, *, time_limit: float, seed: int = 1) -> Solution:
        started = time.perf_counter()
        plans: dict[str, list[str]] = {v.id: [] for v in problem.vehicles}
        costs: dict[str, int] = {v.id: 0 for v in problem.vehicles}

        def order(job: Job) -> tuple:
            window_end = job.time_windows[0][1] if job.time_windows else UNLIMITED
            pinned = 0 if job.pinned_first else 1 if job.pinned_vehicle else 2
            return (pinned, -job.priority, window_end, job.id)

        for job in sorted(problem.jobs, key=order):
            best: tuple[int, int, int, list[str]] | None = None
            for rank, vehicle in enumerate(problem.vehicles):
                if not job.skills <= vehicle.skills:
                    continue
                if job.pinned_vehicle not in (None, vehicle.id):
                    continue
                plan = plans[vehicle.id]
                # A pinned-first job keeps the head of its route.
                head = 1 if plan and problem.job(plan[0]).pinned_first else 0
                positions = [0] if job.pinned_first else range(head, len(plan) + 1)
                for position in positions:
                    trial = [*plan[:position], job.id, *plan[position:]]
                    route, dropped = plan_route(problem, vehicle, trial)
                    if dropped or route is None:
                        continue
                    added = route_totals(problem, vehicle, trial)[0] - costs[vehicle.id]
                    candidate = (added, rank, position, trial)
                    if best is None or candidate[:3] < best[:3]:
                        best = candidate
            if best is not None:
                added, rank, _, trial = best
                vehicle_id = problem.vehicles[rank].id
                plans[vehicle_id] = trial
                costs[vehicle_id] += added
        return assemble(problem, plans, engine=self.name, seconds=time.perf_counter() - started)
