"""The hindsight plan: the whole day solved offline, every request known in advance.

With the platform's routing engines present (``baoxiu.dispatch.engines``),
the day is one vehicle-routing problem given to VROOM:

- a vehicle per technician and shift, starting from home when the shift
  starts, finishing its last repair by the shift's end; a work shift takes
  any job the technician has the skills for, an on-call shift emergencies
  only (non-emergency jobs carry an extra skill only work shifts have);
- a job per request: its duration, its skills, and a service start no
  earlier than the report (a technician may drive there beforehand and wait,
  which an online dispatcher cannot know to do). Emergencies must be reached
  within 30 minutes of the report and have priority 100; other jobs any time
  after the report (priority 0);
- travel times and distances from the scenario's travel model, the same
  estimate the online replays drive with.

VROOM first serves as much priority as it can (emergencies reached within
30 minutes), then as many jobs as it can, then minimises driving time. An
emergency it cannot reach in 30 minutes is left out of the plan; the
hindsight row therefore reports arrival times over the emergencies it
reaches only. VROOM is a heuristic: the plan is a strong offline reference,
not a proven optimum, and an online policy could in principle beat it.

Without the engines, :func:`no_conflict_reference` gives an optimistic
reference instead: every emergency is given the eligible technician who
would reach it fastest from home, as if that technician had nothing else to
do (conflicts ignored). It is not an achievable plan, only a ceiling of sorts
for the 30-minute share under the scenario's staffing and travel.
"""

from __future__ import annotations

import numpy as np

from bench.dispatch_sim_replay import EMERGENCY_PROMISE_S, Outcome, Visit
from bench.dispatch_sim_scenario import WORK, Scenario

EMERGENCY_PRIORITY = 100


def engines_available() -> bool:
    try:
        from baoxiu.dispatch.engines import get_engine

        get_engine("vroom")
    except ImportError:
        return False
    return True


def solve_offline(scenario: Scenario, *, time_limit: float, seed: int = 1) -> Outcome:
    """The day as one VROOM problem (see the module docstring)."""
    from baoxiu.dispatch.engines import Job, Problem, Vehicle, get_engine

    techs = scenario.technicians
    requests = scenario.requests
    points = np.array([t.home for t in techs] + [r.point for r in requests], dtype=np.float64)
    matrix = scenario.travel.provider().matrix(points, points)
    durations = matrix.durations_s.astype(np.int64)
    distances = matrix.distances_m.astype(np.int64)
    codes = sorted({s for t in techs for s in t.skills} | {s for r in requests for s in r.skills})
    skill_id = {code: k + 1 for k, code in enumerate(codes)}
    regular = len(codes) + 1  # only work shifts have it; non-emergency jobs need it
    horizon = max(
        [s.end_s for t in techs for s in t.shifts] + [r.window_s[1] for r in requests] + [1]
    )

    vehicles, owner = [], {}
    for k, tech in enumerate(techs):
        for n, shift in enumerate(tech.shifts):
            if shift.end_s <= 0:
                continue
            skills = {skill_id[s] for s in tech.skills}
            if shift.kind == WORK:
                skills.add(regular)
            vehicle_id = f"{tech.id}/{n}"
            owner[vehicle_id] = tech.id
            vehicles.append(
                Vehicle(
                    id=vehicle_id,
                    start=k,
                    skills=frozenset(skills),
                    shift=(max(shift.start_s, 0), shift.end_s),
                )
            )
    jobs = []
    for j, request in enumerate(requests):
        skills = {skill_id[s] for s in request.skills}
        if request.emergency:
            window = (request.at_s, request.at_s + EMERGENCY_PROMISE_S)
            priority = EMERGENCY_PRIORITY
        else:
            skills.add(regular)
            window = (request.at_s, horizon)
            priority = 0
        jobs.append(
            Job(
                id=request.id,
                location=len(techs) + j,
                service=request.minutes * 60,
                skills=frozenset(skills),
                priority=priority,
                time_windows=(window,),
            )
        )
    problem = Problem(durations=durations, vehicles=tuple(vehicles), jobs=tuple(jobs))
    engine = get_engine("vroom")
    solution = engine.solve(problem, time_limit=time_limit, seed=seed)

    visits = {r.id: Visit(r) for r in requests}
    busy: dict[str, list] = {t.id: [] for t in techs}
    by_index = {r.id: len(techs) + j for j, r in enumerate(requests)}
    for route in solution.routes:
        vehicle = problem.vehicle(route.vehicle_id)
        tech_id = owner[route.vehicle_id]
        here = vehicle.start
        for stop in route.stops:
            visit = visits[stop.job_id]
            there = by_index[stop.job_id]
            drive = int(durations[here, there])
            visit.tech = tech_id
            visit.assignments = 1
            visit.arrive_s = stop.service_start  # at the door when the customer needs them
            visit.depart_s = stop.service_start - drive  # driving just in time
            visit.finish_s = stop.service_start + visit.request.minutes * 60
            visit.km = float(distances[here, there]) / 1000
            busy[tech_id].append((visit.depart_s, visit.finish_s, stop.job_id))
            here = there
    left_out = [job_id for job_id in solution.unassigned if visits[job_id].request.emergency]
    return Outcome(
        policy="hindsight (VROOM, offline)",
        visits=visits,
        busy=busy,
        notes={
            "engine": solution.engine,
            "solve_seconds": round(solution.seconds, 1),
            "time_limit_s": time_limit,
            "vehicles": len(vehicles),
            "jobs_left_out": len(solution.unassigned),
            "emergencies_left_out": len(left_out),
        },
    )


def no_conflict_reference(scenario: Scenario) -> Outcome:
    """Each emergency reached by the eligible technician nearest to it from home (see above)."""
    techs = scenario.technicians
    emergencies = [r for r in scenario.requests if r.emergency]
    visits = {r.id: Visit(r) for r in scenario.requests}
    if emergencies and techs:
        matrix = scenario.travel.provider().matrix(
            np.array([t.home for t in techs]), np.array([r.point for r in emergencies])
        )
        for j, request in enumerate(emergencies):
            able = [
                k
                for k, tech in enumerate(techs)
                if request.skills <= tech.skills
                and any(s.covers(request.at_s) for s in tech.shifts)
            ]
            if not able:
                continue
            k = min(able, key=lambda k: matrix.durations_s[k, j])
            visit = visits[request.id]
            visit.tech = techs[k].id
            visit.depart_s = request.at_s
            visit.arrive_s = request.at_s + float(matrix.durations_s[k, j])
            visit.km = float(matrix.distances_m[k, j]) / 1000
    return Outcome(
        policy="no-conflict reference (not a plan)",
        visits=visits,
        busy={t.id: [] for t in techs},
        notes={"what": "emergencies only; each from the nearest eligible home, as if idle"},
    )
