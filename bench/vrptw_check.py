"""Independent VRPTW feasibility checker for the benchmark.

Given an instance and routes as lists of customer numbers (1..n), it
recomputes everything from the instance file's own data — coordinates,
demands, windows, service times — without the matrices or the times the
engines report: every customer exactly once, no more routes than vehicles,
capacity per route, service starting inside every customer's window with
the vehicle leaving the depot no earlier than it opens and back before it
closes, and the total distance in the DIMACS convention (each leg the
Euclidean distance truncated to one decimal).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.vrptw_instances import SCALE, Instance, dimacs_distance


@dataclass
class CheckResult:
    feasible: bool
    distance: float  # one decimal, DIMACS convention
    vehicles: int
    problems: list[str] = field(default_factory=list)


def check(instance: Instance, routes: Sequence[Sequence[int]]) -> CheckResult:
    problems: list[str] = []
    routes = [list(route) for route in routes if route]
    n = instance.customers
    counts = Counter(c for route in routes for c in route)
    unknown = sorted(c for c in counts if not 1 <= c <= n)
    if unknown:
        problems.append(f"unknown customers {unknown}")
    repeated = sorted(c for c, k in counts.items() if k > 1)
    if repeated:
        problems.append(f"customers visited more than once {repeated}")
    missing = [c for c in range(1, n + 1) if c not in counts]
    if missing:
        problems.append(f"{len(missing)} customers not visited, e.g. {missing[:5]}")
    if len(routes) > instance.vehicles:
        problems.append(f"{len(routes)} routes for {instance.vehicles} vehicles")

    total = 0
    depot = instance.coords[0]
    opens, closes = (SCALE * t for t in instance.windows[0])
    for number, route in enumerate(routes, start=1):
        if unknown:
            break
        load = sum(instance.demands[c] for c in route)
        if load > instance.capacity:
            problems.append(f"route {number}: load {load} > capacity {instance.capacity}")
        now, here = opens, depot
        for customer in route:
            there = instance.coords[customer]
            leg = dimacs_distance(here, there)
            total += leg
            ready, due = (SCALE * t for t in instance.windows[customer])
            start = max(now + leg, ready)
            if start > due:
                problems.append(f"route {number}: customer {customer} starts {start} > {due}")
            now, here = start + SCALE * instance.services[customer], there
        leg = dimacs_distance(here, depot)
        total += leg
        if now + leg > closes:
            problems.append(f"route {number}: back at the depot at {now + leg} > {closes}")
    return CheckResult(
        feasible=not problems,
        distance=round(total / SCALE, 1),
        vehicles=len(routes),
        problems=problems,
    )
