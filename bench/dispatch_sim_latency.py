"""Benchmark 3: how long the platform takes to pick a technician for a new emergency.

A city is built in the database Django is connected to (the benchmark's
throw-away SQLite file): the demo catalog, outlets of ten technicians all
covering 杭州市, the generated technicians (homes, skills, shifts, the on-call
rota), and open tickets held by them — one each on site, in progress or en
route at the head of their plan, the rest accepted or assigned — with
encrypted customers and addresses placed on the city's districts, and SLA
clocks. Then, at 15:00 (every shift is on), new emergency tickets (locked out,
unassigned) are decided one by one with the platform's full path: the ticket
read as ``ticket_auto_dispatch`` reads it, then ``assignment_candidates``
(eligibility query, on-call rota, held jobs, SLA deadline, travel matrix,
ranking). Nothing is assigned, so every decision sees the same city. The pure
planner (``rank_technicians`` on the same technicians and jobs, read
beforehand) is timed beside it.
"""

from __future__ import annotations

import random
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from baoxiu.accounts.choices import Role
from baoxiu.accounts.models import User
from baoxiu.areas import resolver
from baoxiu.areas.models import Coverage
from baoxiu.catalog.models import FaultType, Skill
from baoxiu.customers.models import Address, Customer
from baoxiu.customers.services import phone_index_for
from baoxiu.demo import data
from baoxiu.dispatch import assignment
from baoxiu.dispatch.choices import ClockKind, ClockState
from baoxiu.dispatch.models import SlaClock
from baoxiu.dispatch.selectors import DEFAULT_SLA_MINUTES
from baoxiu.tickets.choices import TicketChannel, TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.workforce.models import OnCallShift, Outlet, Technician
from bench.dispatch_sim_scenario import (
    CITY_CODE,
    EMERGENCY_FAULT,
    ON_CALL,
    OUTLET_SIZE,
    generate,
)

TECHNICIANS = 500
OPEN_JOBS = 2000
NEW_TICKETS = 200
WARMUP = 20
MEASURE_AT_HOURS = 7  # 15:00, seven hours after the day's 08:00 start
TARGET_P99_MS = 50.0

# Where the first job of a technician's plan stands; later ones are accepted or assigned.
HEAD_STATUSES = (
    (TicketStatus.IN_PROGRESS, 35),
    (TicketStatus.ON_SITE, 10),
    (TicketStatus.EN_ROUTE, 25),
    (TicketStatus.ACCEPTED, 30),
)


@dataclass(frozen=True)
class City:
    now: datetime
    technicians: int
    open_jobs: int
    new_ticket_ids: list[int]
    build_seconds: float


def _deg(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def _districts() -> list[tuple[str, str, tuple[float, float]]]:
    rows = [
        (d.code, d.full_name, d.point)
        for d in resolver.children(CITY_CODE)
        if d.point is not None and d.level == "county"
    ]
    if not rows:
        raise RuntimeError(f"division table has no districts under {CITY_CODE}")
    return rows


def build_city(
    *,
    technicians: int = TECHNICIANS,
    open_jobs: int = OPEN_JOBS,
    new_tickets: int = NEW_TICKETS + WARMUP,
    seed: int = 1,
) -> City:
    """Write the city into the current database (bulk inserts, one transaction)."""
    started = time.perf_counter()
    rng = random.Random(seed)
    scenario = generate(technicians=technicians, hours=12, seed=seed, requests=0)
    now = scenario.at(MEASURE_AT_HOURS * 3600)
    # The city's open work does not depend on how many new tickets are timed.
    held = list(generate(technicians=1, hours=12, seed=seed + 1, requests=open_jobs).requests)
    calls = generate(technicians=1, hours=12, seed=seed + 2, requests=new_tickets * 8).requests
    fresh = [r for r in calls if r.fault == EMERGENCY_FAULT][:new_tickets]
    if len(fresh) < new_tickets:
        raise RuntimeError("too few emergencies drawn for the new tickets")
    districts = _districts()
    district_points = np.array([p for _c, _n, p in districts])

    with transaction.atomic():
        skills = _catalog()
        faults = {f.code: f for f in FaultType.objects.all()}
        outlets = _outlets(technicians)
        users = User.objects.bulk_create(
            User(
                username=f"bench-tech-{j + 1:04d}",
                role=Role.TECHNICIAN,
                display_name=t.id,
                password="!",  # unusable
            )
            for j, t in enumerate(scenario.technicians)
        )
        rows = []
        for j, t in enumerate(scenario.technicians):
            work = t.shifts[0]
            rows.append(
                Technician(
                    user=users[j],
                    outlet=outlets[j // OUTLET_SIZE],
                    name=t.id,
                    certificate_no=f"BENCH{j + 1:05d}",
                    home_longitude=_deg(t.home[0]),
                    home_latitude=_deg(t.home[1]),
                    work_start=scenario.at(work.start_s).timetz().replace(tzinfo=None),
                    work_end=scenario.at(work.end_s).timetz().replace(tzinfo=None),
                    break_minutes=0,  # as in the simulation
                )
            )
        techs = Technician.objects.bulk_create(rows)
        Through = Technician.skills.through
        Through.objects.bulk_create(
            Through(technician_id=tech.pk, skill_id=skills[code].pk)
            for tech, spec in zip(techs, scenario.technicians, strict=True)
            for code in sorted(spec.skills)
        )
        OnCallShift.objects.bulk_create(
            OnCallShift(
                technician=tech,
                starts_at=scenario.at(shift.start_s),
                ends_at=scenario.at(shift.end_s),
            )
            for tech, spec in zip(techs, scenario.technicians, strict=True)
            for shift in spec.shifts
            if shift.kind == ON_CALL
        )

        # Open work: each job to a technician who has its skills, in plan order per technician.
        plans: dict[int, list] = defaultdict(list)
        for request in held:
            able = [
                k for k, spec in enumerate(scenario.technicians) if request.skills <= spec.skills
            ]
            plans[rng.choice(able)].append(request)
        requests = [*fresh, *(r for plan in plans.values() for r in plan)]
        customers = Customer.objects.bulk_create(
            Customer(
                name=f"客户{k}",
                phone=f"139{k:08d}",
                phone_index=phone_index_for(f"139{k:08d}"),
            )
            for k in range(len(requests))
        )
        nearest = np.argmin(
            (
                (district_points[None, :, :] - np.array([r.point for r in requests])[:, None, :])
                ** 2
            ).sum(axis=2),
            axis=1,
        )
        addresses = Address.objects.bulk_create(
            Address(
                customer=customers[k],
                text=f"{districts[nearest[k]][1]}演示路{k % 400 + 1}号",
                division_id=districts[nearest[k]][0],
                area_name=districts[nearest[k]][1],
                area_code=districts[nearest[k]][0],
                longitude=_deg(r.point[0]),
                latitude=_deg(r.point[1]),
            )
            for k, r in enumerate(requests)
        )

        tickets, serial = [], 0

        def ticket(request, status, tech, created, arrived=None):
            # Called in the order of ``requests``: the n-th ticket has the n-th address.
            nonlocal serial
            serial += 1
            assert requests[serial - 1] is request
            assigned = created + timedelta(minutes=3) if tech is not None else None
            return Ticket(
                code=f"BX{now:%y%m%d}{serial:05d}",
                customer=customers[serial - 1],
                address=addresses[serial - 1],
                fault_type=faults[request.fault],
                priority=request.priority,
                channel=TicketChannel.PHONE,
                status=status,
                technician=tech,
                created_at=created,
                updated_at=created,
                assigned_at=assigned,
                accepted_at=assigned if status != TicketStatus.ASSIGNED and tech else None,
                arrived_at=arrived,
            )

        for request in fresh:
            tickets.append(ticket(request, TicketStatus.DISPATCHING, None, now))
        statuses, weights = zip(*HEAD_STATUSES, strict=True)
        for k, plan in plans.items():
            tech = techs[k]
            for position, request in enumerate(plan):
                created = now - timedelta(minutes=rng.uniform(10, 240))
                arrived = None
                if position == 0:
                    status = rng.choices(statuses, weights)[0]
                    if status in (TicketStatus.ON_SITE, TicketStatus.IN_PROGRESS):
                        arrived = now - timedelta(minutes=rng.uniform(0, request.minutes))
                        tech.last_longitude, tech.last_latitude = (
                            _deg(v) for v in (request.point[0], request.point[1])
                        )
                        tech.last_located_at = now - timedelta(minutes=2)
                    elif status == TicketStatus.EN_ROUTE:
                        home = (float(tech.home_longitude), float(tech.home_latitude))
                        half = [(a + b) / 2 for a, b in zip(home, request.point, strict=True)]
                        tech.last_longitude, tech.last_latitude = (_deg(v) for v in half)
                        tech.last_located_at = now - timedelta(minutes=2)
                else:
                    status = rng.choice([TicketStatus.ACCEPTED, TicketStatus.ASSIGNED])
                tickets.append(ticket(request, status, tech, created, arrived))
        Technician.objects.bulk_update(
            techs, ["last_longitude", "last_latitude", "last_located_at"], batch_size=500
        )
        tickets = Ticket.objects.bulk_create(tickets, batch_size=500)
        SlaClock.objects.bulk_create((c for t in tickets for c in _clocks(t)), batch_size=500)
    return City(
        now=now,
        technicians=len(techs),
        open_jobs=sum(len(p) for p in plans.values()),
        new_ticket_ids=[t.pk for t in tickets[: len(fresh)]],
        build_seconds=time.perf_counter() - started,
    )


def _clocks(ticket: Ticket) -> list[SlaClock]:
    """Dispatch, arrive and complete clocks from the report, met where the step is done."""
    terms = DEFAULT_SLA_MINUTES[ticket.priority]
    done = {
        ClockKind.DISPATCH: ticket.assigned_at,
        ClockKind.ARRIVE: ticket.arrived_at,
        ClockKind.COMPLETE: None,
    }
    clocks = []
    for kind, met_at in done.items():
        allowed = timedelta(minutes=terms[kind])
        clocks.append(
            SlaClock(
                ticket=ticket,
                kind=kind,
                state=ClockState.RUNNING if met_at is None else ClockState.MET,
                started_at=ticket.created_at,
                warn_at=ticket.created_at + allowed * 0.8,
                due_at=ticket.created_at + allowed,
                met_at=met_at,
            )
        )
    return clocks


def _catalog() -> dict[str, Skill]:
    Skill.objects.bulk_create(Skill(code=code, name=name) for code, name in data.SKILLS)
    skills = {s.code: s for s in Skill.objects.all()}
    faults = FaultType.objects.bulk_create(
        FaultType(
            code=spec.code,
            name=spec.name,
            default_duration_minutes=spec.minutes,
            priority=spec.priority,
            sort_order=order,
        )
        for order, spec in enumerate(data.FAULT_TYPES, start=1)
    )
    Through = FaultType.required_skills.through
    Through.objects.bulk_create(
        Through(faulttype_id=fault.pk, skill_id=skills[code].pk)
        for fault, spec in zip(faults, data.FAULT_TYPES, strict=True)
        for code in spec.skills
    )
    return skills


def _outlets(technicians: int) -> list[Outlet]:
    count = -(-technicians // OUTLET_SIZE)
    city = resolver.division(CITY_CODE)
    outlets = Outlet.objects.bulk_create(
        Outlet(
            code=f"bench-{k + 1:03d}",
            name=f"杭州{k + 1}号服务网点",
            area_name=city.full_name,
            area_code=CITY_CODE,
            longitude=_deg(city.point[0]),
            latitude=_deg(city.point[1]),
        )
        for k in range(count)
    )
    Coverage.objects.bulk_create(
        Coverage(outlet=o, division_id=CITY_CODE, emergency_available=True, response_hours=4)
        for o in outlets
    )
    return outlets


def _ms(seconds: list[float]) -> dict:
    values = np.array(seconds) * 1000
    return {
        "n": len(seconds),
        "p50_ms": float(np.percentile(values, 50)),
        "p99_ms": float(np.percentile(values, 99)),
        "max_ms": float(values.max()),
        "mean_ms": float(values.mean()),
    }


def measure(city: City, *, warmup: int = WARMUP) -> dict:
    """Time the full database path and the pure planner for each new emergency ticket."""
    full, pure, eligible, held = [], [], [], []
    agree = 0
    with CaptureQueriesContext(connection) as queries:
        probe = Ticket.objects.select_related("address", "fault_type").get(
            pk=city.new_ticket_ids[0]
        )
        assignment.assignment_candidates(ticket=probe, now=city.now)
    for n, pk in enumerate(city.new_ticket_ids):
        started = time.perf_counter()
        ticket = Ticket.objects.select_related("address", "fault_type").get(pk=pk)
        candidates = assignment.assignment_candidates(ticket=ticket, now=city.now)
        full_s = time.perf_counter() - started

        # The planner alone, on the same technicians and held jobs read beforehand.
        technicians = assignment.eligible_technicians(ticket, now=city.now)
        states = assignment._states(technicians, ticket, city.now)
        deadline = assignment._arrival_deadline(ticket)
        point = (float(ticket.address.longitude), float(ticket.address.latitude))
        # The hand-over's inputs read beforehand too (for the technicians who could help).
        owners = assignment.could_hand_over(states, point=point, now=city.now, deadline=deadline)
        inputs = assignment.handover_inputs(states, city.now, owners=owners)
        started = time.perf_counter()
        ranked = assignment.rank_with_handover(  # as assignment_candidates
            states,
            handover_inputs_for=lambda _owners, inputs=inputs: inputs,
            point=point,
            now=city.now,
            jump_queue=True,
            deadline=deadline,
            divert_en_route=settings.DISPATCH_DIVERT_EN_ROUTE,
        )
        pure_s = time.perf_counter() - started
        if n < warmup:
            continue
        full.append(full_s)
        pure.append(pure_s)
        eligible.append(len(states))
        held.append(sum(len(s.jobs) for s in states))
        agree += [c.technician_id for c in ranked] == [c.technician_id for c in candidates]
    return {
        "technicians": city.technicians,
        "open_jobs": city.open_jobs,
        "build_seconds": round(city.build_seconds, 2),
        "decided_at": city.now.isoformat(),
        "warmup": warmup,
        "full_path": _ms(full),
        "planner_only": _ms(pure),
        "queries_per_decision": len(queries) - 1,  # the ticket read is the first
        "eligible_mean": statistics.mean(eligible),
        "held_jobs_of_eligible_mean": statistics.mean(held),
        "same_top3": agree,
        "target_p99_ms": TARGET_P99_MS,
        "met": _ms(full)["p99_ms"] <= TARGET_P99_MS,
    }
