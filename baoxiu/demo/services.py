"""Loading the demo network: a fictional lock brand, its outlets, technicians,
staff logins and a few hundred tickets in every status.

Reference rows (organisation, catalogue, outlets, technicians, users) are
written directly; tickets are made only through ``ticket_create`` and
``ticket_transition``, with the actor each step would really have, so their
timelines, notifications and jobs are the real ones. Everything is derived
from a seeded random generator, so a given ``scale`` and ``seed`` always give
the same network (encrypted values differ: their nonces are random).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from baoxiu.accounts.choices import Role
from baoxiu.accounts.models import OfficialChannel, Organisation, User
from baoxiu.areas import resolver
from baoxiu.areas.services import coverage_import
from baoxiu.catalog.choices import Priority
from baoxiu.catalog.models import FaultType, LockModel, Skill
from baoxiu.core import queue
from baoxiu.core.choices import JobState
from baoxiu.core.errors import DomainError
from baoxiu.core.models import Job
from baoxiu.customers.models import Address, Customer
from baoxiu.demo import data
from baoxiu.demo.evidence import (
    demo_registers_backdate,
    evidence_before_step,
    evidence_reference_create,
)
from baoxiu.demo.pricing import demo_quote_approve, demo_quotes_backdate, pricing_demo_load
from baoxiu.dispatch.models import SlaClock
from baoxiu.notifications.channels.sms.fake import FakeSmsChannel
from baoxiu.notifications.choices import DeliveryState
from baoxiu.notifications.models import Notification
from baoxiu.tickets.choices import TicketChannel, TicketStatus
from baoxiu.tickets.models import Ticket, TicketEvent
from baoxiu.tickets.services import TicketRequest, ticket_create
from baoxiu.tickets.transitions import ACTIONS, ticket_transition
from baoxiu.workforce.models import Outlet, Technician

# The service areas the demo network announces: a copy of the service-area list
# in the project's shared material (shared/data/service-areas-seed.txt).
SERVICE_AREAS_FILE = Path(__file__).resolve().parent / "service_areas.txt"

S = TicketStatus

# The full-size demo network (scale 1.0).
FULL_OUTLETS = 30
FULL_TECHNICIANS = 200
FULL_TICKETS = 300
HISTORY_DAYS = 60

# Share of demo tickets per final status: mostly finished work, and a live
# board with something in every column.
STATUS_WEIGHTS: dict[str, int] = {
    S.CLOSED: 45,
    S.COMPLETED: 8,
    S.CANCELLED: 7,
    S.DISPATCHING: 7,
    S.ASSIGNED: 6,
    S.ACCEPTED: 5,
    S.EN_ROUTE: 5,
    S.IN_PROGRESS: 5,
    S.ON_SITE: 4,
    S.ON_HOLD: 4,
    S.NEW: 4,
}

# How reports arrive: the web form, the hotline (typed in by an agent), integrations.
CHANNELS = (TicketChannel.WEB, TicketChannel.PHONE, TicketChannel.API)
CHANNEL_WEIGHTS = (55, 40, 5)


class DemoNotAllowed(DomainError):
    code = "demo_not_allowed"
    status = 409


@dataclass(frozen=True)
class DemoSize:
    outlets: int
    technicians: int
    tickets: int


@dataclass(frozen=True)
class DemoLoadResult:
    created: bool
    organisation: Organisation
    outlets: int
    technicians: int
    tickets: int
    jobs_run: int = 0


def demo_size(scale: float) -> DemoSize:
    """How many outlets, technicians and tickets a load at ``scale`` makes.

    Every outlet gets at least two technicians (a declined job goes to a
    colleague) and there is at least one ticket per status.
    """
    if not scale > 0:
        raise ValueError("scale must be positive")
    outlets = max(1, round(FULL_OUTLETS * scale))
    technicians = max(2 * outlets, round(FULL_TECHNICIANS * scale))
    tickets = max(len(STATUS_WEIGHTS), round(FULL_TICKETS * scale))
    return DemoSize(outlets=outlets, technicians=technicians, tickets=tickets)


def ticket_status_quota(total: int) -> dict[str, int]:
    """Tickets per final status: one of each, the rest by ``STATUS_WEIGHTS``
    (largest remainder, ties in the order of the weights)."""
    statuses = list(STATUS_WEIGHTS)
    if total < len(statuses):
        raise ValueError("need at least one ticket per status")
    spare = total - len(statuses)
    weight_sum = sum(STATUS_WEIGHTS.values())
    shares = {s: spare * STATUS_WEIGHTS[s] / weight_sum for s in statuses}
    quota = {s: 1 + math.floor(shares[s]) for s in statuses}
    left = total - sum(quota.values())
    by_remainder = sorted(statuses, key=lambda s: -(shares[s] - math.floor(shares[s])))
    for s in by_remainder[:left]:
        quota[s] += 1
    return quota


def demo_network_load(*, scale: float = 1.0, seed: int = data.DEMO_SEED) -> DemoLoadResult:
    """Load the demo network into an empty database, or find it already there.

    Idempotent: when the demo organisation exists, nothing is written and the
    existing network is reported (``created`` False).
    Preconditions: no other organisation exists (the demo never mixes into a
    real deployment's data); raises DemoNotAllowed otherwise.
    Side effects: all rows are written in one transaction, which also
    rewrites ticket, event, customer, address and notification timestamps to
    spread the history over the past 60 days: demo-only backdating, which no
    service ever does. Afterwards the queue is drained with
    ``queue.work(burst=True)`` (the fake SMS channel "sends" the customer
    messages), except the dispatch jobs of tickets meant to stay 新, which
    are marked done.
    Ticket codes keep today's date: they come from the real code sequence.
    """
    existing = Organisation.objects.filter(name=data.ORGANISATION_NAME).first()
    if existing is not None:
        return DemoLoadResult(
            created=False,
            organisation=existing,
            outlets=Outlet.objects.count(),
            technicians=Technician.objects.count(),
            tickets=Ticket.objects.count(),
        )
    if Organisation.objects.exists():
        raise DemoNotAllowed(_("数据库中已有其他机构的数据，不能载入演示数据。"))

    size = demo_size(scale)
    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        organisation = _organisation_create()
        skills = _skills_create()
        lock_models = _lock_models_create()
        faults = _fault_types_create(skills)
        evidence_reference_create(faults)
        # Hashed once for all demo logins (they share the password anyway): hashing is slow.
        password = make_password(data.DEMO_PASSWORD)
        staff = _staff_create(password)
        outlets = _outlets_create(size, password)
        technicians, skills_of = _technicians_create(size, outlets, skills, password, rng)
        _coverage_import(outlets, staff["operations"])
        pricing_demo_load(faults=faults, lock_models=lock_models, now=now)
        built = _tickets_create(
            size=size,
            rng=rng,
            now=now,
            staff=staff,
            outlets=outlets,
            technicians=technicians,
            skills_of=skills_of,
            faults=faults,
            lock_models=lock_models,
        )
        _history_backdate(built)
        from baoxiu.support.demo import support_demo_load

        support_demo_load(now=now)
        demo_quotes_backdate()
        demo_registers_backdate()
    jobs_run = _queue_settle(keep_new=built.kept_new, ticket_ids=list(built.stamps))
    _sent_at_backdate(built)
    return DemoLoadResult(
        created=True,
        organisation=organisation,
        outlets=len(outlets),
        technicians=len(technicians),
        tickets=len(built.stamps),
        jobs_run=jobs_run,
    )


# --- reference rows ---------------------------------------------------------


def _organisation_create() -> Organisation:
    organisation = Organisation.objects.create(
        name=data.ORGANISATION_NAME, brand=data.BRAND, service_promise=data.SERVICE_PROMISE
    )
    OfficialChannel.objects.bulk_create(
        OfficialChannel(organisation=organisation, kind=kind, value=value, label=label)
        for kind, value, label in data.CHANNELS
    )
    return organisation


def _skills_create() -> dict[str, Skill]:
    wanted = {code: name for code, name in data.SKILLS}
    present = set(Skill.objects.filter(code__in=wanted).values_list("code", flat=True))
    Skill.objects.bulk_create(
        Skill(code=code, name=name) for code, name in wanted.items() if code not in present
    )
    return {s.code: s for s in Skill.objects.filter(code__in=wanted)}


def _lock_models_create() -> list[LockModel]:
    codes = [code for code, _name, _months in data.LOCK_MODELS]
    present = set(LockModel.objects.filter(code__in=codes).values_list("code", flat=True))
    LockModel.objects.bulk_create(
        LockModel(code=code, name=name, warranty_months=months)
        for code, name, months in data.LOCK_MODELS
        if code not in present
    )
    return list(LockModel.objects.filter(code__in=codes).order_by("code"))


def _fault_types_create(skills: dict[str, Skill]) -> dict[str, FaultType]:
    faults = {}
    for order, spec in enumerate(data.FAULT_TYPES, start=1):
        fault, _created = FaultType.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "description": spec.description,
                "default_duration_minutes": spec.minutes,
                "priority": spec.priority,
                "sort_order": order * 10,
            },
        )
        if _created:  # a fault type defined before the demo keeps its own skills
            fault.required_skills.set([skills[code] for code in spec.skills])
        faults[spec.code] = fault
    return faults


def _users_create(rows: list[User]) -> dict[str, User]:
    """Create the users not yet present (an existing login is left untouched)."""
    names = [u.username for u in rows]
    present = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create([u for u in rows if u.username not in present])
    return {u.username: u for u in User.objects.filter(username__in=names)}


def _staff_create(password: str) -> dict[str, User]:
    return _users_create(
        [
            User(
                username=username,
                role=role,
                display_name=display,
                password=password,
                is_staff=superuser,
                is_superuser=superuser,
            )
            for username, role, display, superuser in data.STAFF
        ]
    )


def outlet_manager_username(index: int, count: int) -> str:
    return f"outlet{index + 1:0{max(2, len(str(count)))}d}"


def technician_username(index: int, count: int) -> str:
    return f"tech{index + 1:0{max(3, len(str(count)))}d}"


def _outlets_create(size: DemoSize, password: str) -> list[Outlet]:
    managers = _users_create(
        [
            User(
                username=outlet_manager_username(i, size.outlets),
                role=Role.OUTLET_MANAGER,
                display_name=_("%(area)s网点负责人") % {"area": _area(i).short},
                password=password,
            )
            for i in range(size.outlets)
        ]
    )
    rows = []
    for i in range(size.outlets):
        area = _area(i)
        lap = i // len(data.AREAS)
        name = _("%(brand)s%(area)s服务网点") % {"brand": data.BRAND, "area": area.short}
        # The division table's point for the district (sourced, see areas/data/README.md).
        place = resolver.resolve(area.name)
        lng, lat = (
            place.point
            if place.status == "ok" and place.point
            else (
                area.longitude,
                area.latitude,
            )
        )
        rows.append(
            Outlet(
                code=f"qa-{i + 1:03d}",
                name=name if lap == 0 else f"{name}{lap + 1}",
                area_name=area.name,
                area_code=place.code or "",
                latitude=_deg(lat),
                longitude=_deg(lng),
                manager=managers[outlet_manager_username(i, size.outlets)],
            )
        )
    Outlet.objects.bulk_create(rows)
    return list(Outlet.objects.filter(code__in=[o.code for o in rows]).order_by("code"))


def _technicians_create(
    size: DemoSize,
    outlets: list[Outlet],
    skills: dict[str, Skill],
    password: str,
    rng: random.Random,
) -> tuple[list[Technician], dict[int, frozenset[str]]]:
    """The technicians, round-robin over the outlets, and each one's skill codes."""
    names = [_person_name(rng) for _ in range(size.technicians)]
    users = _users_create(
        [
            User(
                username=technician_username(j, size.technicians),
                role=Role.TECHNICIAN,
                display_name=names[j],
                password=password,
            )
            for j in range(size.technicians)
        ]
    )
    rows, skill_codes = [], []
    all_codes = [code for code, _name in data.SKILLS]
    for j in range(size.technicians):
        outlet = outlets[j % len(outlets)]
        if j < len(outlets):
            # Each outlet's first technician can handle a locked-out emergency.
            codes = ["lock-opening", "electrical", rng.choice(["fingerprint", "lock-body"])]
        else:
            codes = rng.sample(all_codes, rng.randint(2, 4))
        start, end = rng.choice(data.WORKING_HOURS)
        lat, lon = _jitter(float(outlet.latitude), float(outlet.longitude), 4.0, rng)
        rows.append(
            Technician(
                user=users[technician_username(j, size.technicians)],
                outlet=outlet,
                name=names[j],
                certificate_no=f"QA{rng.randint(2019, 2025)}{j + 1:05d}",
                # Fictional numbers (166 0000 ...), the B side of privacy-number bindings.
                phone=f"166{j + 1:08d}",
                home_latitude=_deg(lat),
                home_longitude=_deg(lon),
                work_start=start,
                work_end=end,
            )
        )
        skill_codes.append(codes)
    Technician.objects.bulk_create(rows)
    technicians = list(
        Technician.objects.filter(certificate_no__in=[t.certificate_no for t in rows])
        .select_related("user", "outlet")
        .order_by("user__username")
    )
    Through = Technician.skills.through
    Through.objects.bulk_create(
        Through(technician_id=tech.pk, skill_id=skills[code].pk)
        for tech, codes in zip(technicians, skill_codes, strict=True)
        for code in codes
    )
    return technicians, {
        tech.pk: frozenset(codes) for tech, codes in zip(technicians, skill_codes, strict=True)
    }


# --- tickets ----------------------------------------------------------------


@dataclass
class _Step:
    action: str
    actor: str  # system | desk | agent | tech | tech2
    minutes: float  # after the previous step
    note: str = ""
    assignee: str = ""  # for "assign": tech | tech2


@dataclass
class _Plan:
    status: str
    outlet: Outlet
    fault: data.FaultSpec
    steps: list[_Step]
    created_at: datetime
    channel: str
    desk: User
    customer: tuple[str, str, str, float, float]  # name, phone, address, lat, lon
    lock_model: LockModel | None
    description: str


@dataclass
class _Built:
    # ticket id -> the timestamps it should carry, in event order
    stamps: dict[int, list[datetime]] = field(default_factory=dict)
    fields: dict[int, dict[str, datetime]] = field(default_factory=dict)
    customers: set[int] = field(default_factory=set)
    addresses: set[int] = field(default_factory=set)
    kept_new: list[int] = field(default_factory=list)


def _tickets_create(
    *,
    size: DemoSize,
    rng: random.Random,
    now: datetime,
    staff: dict[str, User],
    outlets: list[Outlet],
    technicians: list[Technician],
    skills_of: dict[int, frozenset[str]],
    faults: dict[str, FaultType],
    lock_models: list[LockModel],
) -> _Built:
    by_outlet: dict[int, list[Technician]] = {}
    for tech in technicians:
        by_outlet.setdefault(tech.outlet_id, []).append(tech)
    plans = _ticket_plans(size, rng, now, staff, outlets, lock_models)
    plans.sort(key=lambda p: p.created_at)  # ids then follow the (backdated) report times
    built = _Built()
    actors = {"system": None, "agent": staff["agent"]}
    for plan in plans:
        request = TicketRequest(
            name=plan.customer[0],
            phone=plan.customer[1],
            address_text=plan.customer[2],
            fault_type=faults[plan.fault.code],
            channel=plan.channel,
            description=plan.description,
            lock_model=plan.lock_model,
            area_name=plan.outlet.area_name,
            latitude=_deg(plan.customer[3]),
            longitude=_deg(plan.customer[4]),
        )
        created_by = staff["agent"] if plan.channel == TicketChannel.PHONE else None
        ticket, _created = ticket_create(request=request, created_by=created_by)
        tech, tech2 = _pick_technicians(by_outlet[plan.outlet.pk], skills_of, plan.fault, rng)
        people = {**actors, "desk": plan.desk, "tech": tech.user, "tech2": tech2.user}
        crew = {"tech": tech, "tech2": tech2}
        at = plan.created_at
        times = [at]
        fields = {"created_at": at}
        for index, step in enumerate(plan.steps):
            if step.action == "start_work":  # work starts on an approved quote
                demo_quote_approve(ticket=ticket, technician_user=people[step.actor])
            # On-site evidence, the lock-opening register, the customer's confirmation.
            written = evidence_before_step(
                ticket=ticket,
                action=step.action,
                closes_later=any(s.action == "close" for s in plan.steps[index:]),
            )
            times.extend([at + timedelta(minutes=step.minutes)] * written)
            ticket = ticket_transition(
                ticket=ticket,
                action=step.action,
                actor=people[step.actor],
                note=step.note,
                technician=crew.get(step.assignee),
            )
            at = at + timedelta(minutes=step.minutes)
            times.append(at)
            for stamp in ACTIONS[step.action].stamps:
                fields[stamp] = at
        fields["updated_at"] = at
        built.stamps[ticket.pk] = times
        built.fields[ticket.pk] = fields
        built.customers.add(ticket.customer_id)
        built.addresses.add(ticket.address_id)
        if ticket.status == S.NEW:
            built.kept_new.append(ticket.pk)
    return built


def _pick_technicians(
    crew: list[Technician],
    skills_of: dict[int, frozenset[str]],
    fault: data.FaultSpec,
    rng: random.Random,
) -> tuple[Technician, Technician]:
    """A first choice and a colleague, both preferring technicians with the fault's skills."""
    needed = set(fault.skills)
    able = [t for t in crew if needed <= skills_of[t.pk]] or crew
    first = rng.choice(able)
    others = [t for t in able if t.pk != first.pk] or [t for t in crew if t.pk != first.pk]
    return first, rng.choice(others)


def _ticket_plans(
    size: DemoSize,
    rng: random.Random,
    now: datetime,
    staff: dict[str, User],
    outlets: list[Outlet],
    lock_models: list[LockModel],
) -> list[_Plan]:
    statuses = [s for s, n in ticket_status_quota(size.tickets).items() for _ in range(n)]
    rng.shuffle(statuses)
    fault_weights = [f.weight for f in data.FAULT_TYPES]
    customers_by_outlet: dict[int, list[tuple]] = {}
    phone_serial = 0
    plans = []
    for status in statuses:
        outlet = outlets[rng.randrange(len(outlets))]
        fault = rng.choices(data.FAULT_TYPES, weights=fault_weights)[0]
        steps = _steps_for(status, fault, rng)
        total = sum(s.minutes for s in steps)
        created_at = now - timedelta(minutes=total + _idle_minutes(status, total, rng))
        known = customers_by_outlet.setdefault(outlet.pk, [])
        if known and rng.random() < 0.15:
            customer = rng.choice(known)  # a returning customer: history on the console
        else:
            phone_serial += 1
            customer = _customer(outlet, phone_serial, rng)
            known.append(customer)
        channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
        manager = outlet.manager if outlet.manager_id else staff["dispatcher"]
        plans.append(
            _Plan(
                status=status,
                outlet=outlet,
                fault=fault,
                steps=steps,
                created_at=created_at,
                channel=channel,
                desk=staff["dispatcher"] if rng.random() < 0.7 else manager,
                customer=customer,
                lock_model=rng.choice(lock_models) if rng.random() < 0.85 else None,
                description=rng.choice(fault.reports),
            )
        )
    return plans


def _idle_minutes(status: str, busy: float, rng: random.Random) -> float:
    """How long ago the ticket's last step happened."""
    if status in (S.CLOSED, S.CANCELLED):
        return rng.uniform(60, max(120, HISTORY_DAYS * 24 * 60 - busy))
    if status == S.COMPLETED:
        return rng.uniform(10, 36 * 60)
    if status == S.ON_HOLD:
        return rng.uniform(30, 48 * 60)
    return rng.uniform(2, 45)


def _work_steps(fault: data.FaultSpec, tech: str, rng: random.Random) -> list[_Step]:
    """From acceptance to completion; emergencies are reached within about 30 minutes."""
    urgent = fault.priority == Priority.EMERGENCY
    return [
        _Step("accept", tech, rng.uniform(1, 4) if urgent else rng.uniform(2, 15)),
        _Step("depart", tech, rng.uniform(1, 4) if urgent else rng.uniform(5, 60)),
        _Step("arrive", tech, rng.uniform(10, 20) if urgent else rng.uniform(20, 70)),
        _Step("start_work", tech, rng.uniform(2, 8)),
        _Step("complete", tech, fault.minutes * rng.uniform(0.7, 1.4)),
    ]


def _happy_path(fault: data.FaultSpec, rng: random.Random, *, decline: bool) -> list[_Step]:
    """Report to close; with ``decline``, the first technician turns the job down."""
    urgent = fault.priority == Priority.EMERGENCY
    steps = [
        _Step("dispatch", "system", rng.uniform(0.05, 0.5)),
        _Step(
            "assign", "desk", rng.uniform(1, 4) if urgent else rng.uniform(2, 20), assignee="tech"
        ),
    ]
    tech = "tech"
    if decline:
        steps += [
            _Step("decline", "tech", rng.uniform(2, 8), rng.choice(data.DECLINE_NOTES)),
            _Step("assign", "desk", rng.uniform(1, 6), assignee="tech2"),
        ]
        tech = "tech2"
    steps += _work_steps(fault, tech, rng)
    steps.append(_Step("close", "agent", rng.uniform(12 * 60, 72 * 60)))
    return steps


def _until(path: list[_Step], status: str) -> list[_Step]:
    """The first steps of ``path`` after which the ticket is in ``status``."""
    if status == S.NEW:
        return []
    for count, step in enumerate(path, start=1):
        if ACTIONS[step.action].target == status:
            return path[:count]
    raise ValueError(f"the path never reaches {status}")


def _steps_for(status: str, fault: data.FaultSpec, rng: random.Random) -> list[_Step]:
    decline = rng.random() < 0.12
    path = _happy_path(fault, rng, decline=decline)
    if status == S.DISPATCHING and decline:
        return path[:3]  # dispatched, assigned, declined: back in the queue
    if status == S.CANCELLED:
        steps = _until(path, rng.choice([S.NEW, S.DISPATCHING, S.DISPATCHING, S.ASSIGNED]))
        note = rng.choice(data.CANCEL_NOTES)
        return [*steps, _Step("cancel", "agent", rng.uniform(5, 120), note)]
    if status == S.ON_HOLD:
        steps = _until(path, rng.choice([S.DISPATCHING, S.ACCEPTED, S.IN_PROGRESS]))
        # A technician holds their own job; a ticket still waiting for dispatch
        # belongs to no outlet yet, so the agent on the phone holds it.
        holder = steps[-1].actor if steps[-1].actor in ("tech", "tech2") else "agent"
        note = rng.choice(data.HOLD_NOTES)
        return [*steps, _Step("hold", holder, rng.uniform(5, 60), note)]
    steps = _until(path, status)
    if status == S.CLOSED and rng.random() < 0.08:
        # Reopened after the return visit, repaired again by the same technician.
        tech = steps[-2].actor
        steps += [
            _Step("reopen", "agent", rng.uniform(24 * 60, 48 * 60), rng.choice(data.REOPEN_NOTES)),
            _Step("assign", "desk", rng.uniform(5, 30), assignee=tech),
            *_work_steps(fault, tech, rng),
            _Step("close", "agent", rng.uniform(12 * 60, 48 * 60)),
        ]
    return steps


def _customer(
    outlet: Outlet, serial: int, rng: random.Random
) -> tuple[str, str, str, float, float]:
    area = next(a for a in data.AREAS if a.name == outlet.area_name)
    # Synthetic numbers: a mobile prefix, then the serial zero-padded to eight
    # digits (13800000042), so they read as generated. They come from no directory.
    phone = f"1{rng.choice('3589')}{rng.randint(0, 9)}{serial:08d}"
    address = (
        f"{area.name}{rng.choice(data.STREETS)}{rng.randint(1, 399)}号"
        f"{rng.choice(data.COMMUNITIES)}{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元"
        f"{rng.randint(1, 33)}{rng.randint(1, 4):02d}室"
    )
    lat, lon = _jitter(area.latitude, area.longitude, 6.0, rng)
    return _person_name(rng), phone, address, lat, lon


def _coverage_import(outlets: list[Outlet], actor: User) -> None:
    """The demo network announces the seed service-area list; each announced area
    goes to the nearest outlet, through the same import operations use.

    Within 30 km of the outlet the 30-minute emergency promise holds and normal
    work is answered within 4 hours; farther out, no emergency promise and 24 or
    48 hours.
    """
    lines = [
        line.strip()
        for line in SERVICE_AREAS_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    bands: dict[tuple[int, bool, int], list[str]] = {}
    for line in lines:
        place = resolver.resolve(line)
        if place.status != "ok" or place.point is None:
            bands.setdefault((0, False, 48), []).append(line)  # reported as skipped
            continue
        lng, lat = place.point
        km, index = min(
            (_km(lat, lng, float(o.latitude), float(o.longitude)), i) for i, o in enumerate(outlets)
        )
        promise = (True, 4) if km <= 30 else (False, 24) if km <= 300 else (False, 48)
        bands.setdefault((index, *promise), []).append(line)
    for (index, emergency, hours), chunk in sorted(bands.items()):
        coverage_import(
            outlet=outlets[index],
            text="\n".join(chunk),
            emergency_available=emergency,
            response_hours=hours,
            actor=actor,
            source=SERVICE_AREAS_FILE.name,
        )


def _km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


# --- after the load ---------------------------------------------------------


def _queue_settle(*, keep_new: list[int], ticket_ids: list[int]) -> int:
    """Run the jobs the load queued, so the demo starts with an empty queue.

    The dispatch jobs of tickets meant to stay 新, and every automatic-assignment
    job, are marked done instead of run (demo only): in a live system the
    worker would move them on at once.
    Customer messages go out only through the fake SMS channel: with a real
    one configured, their jobs are marked done unsent, so no one is texted
    about a fictional ticket.
    """
    finished = {"state": JobState.DONE, "finished_at": timezone.now()}
    # The history's tickets were placed by the loader, as planned: automatic
    # assignment is for tickets reported from now on.
    Job.objects.filter(name="dispatch.auto_assign", state=JobState.QUEUED).update(**finished)
    for chunk in _chunks(keep_new):
        Job.objects.filter(
            name="tickets.start_dispatch",
            state=JobState.QUEUED,
            dedupe_key__in=[f"dispatch:{pk}" for pk in chunk],
        ).update(**finished)
    if import_string(settings.SMS_BACKEND) is not FakeSmsChannel:
        for chunk in _chunks(ticket_ids):
            notifications = Notification.objects.filter(ticket_id__in=chunk)
            Job.objects.filter(
                name="notifications.deliver",
                state=JobState.QUEUED,
                dedupe_key__in=[
                    f"notification:{pk}" for pk in notifications.values_list("pk", flat=True)
                ],
            ).update(**finished)
    _privacy_numbers_settle()
    return queue.work(burst=True, worker_id="demo-loader")


def _privacy_numbers_settle() -> None:
    """With a real privacy-number provider configured, fictional customers get no
    virtual numbers: their bind jobs are marked done unsent (technicians then see
    "unavailable"). The in-process fake binds them as a live system would."""
    from baoxiu.privacy.numbers.fake import FakePrivacyNumbers

    if import_string(settings.PRIVACY_NUMBER_BACKEND) is not FakePrivacyNumbers:
        Job.objects.filter(name="privacy.number_bind", state=JobState.QUEUED).update(
            state=JobState.DONE, finished_at=timezone.now()
        )


def _history_backdate(built: _Built) -> None:
    """Demo-only: move the loaded history back to the planned times."""
    _sla_clocks_backdate(built)
    tickets = [Ticket(pk=pk, **{**_TICKET_STAMPS, **f}) for pk, f in built.fields.items()]
    Ticket.objects.bulk_update(tickets, list(_TICKET_STAMPS), batch_size=200)
    events = []
    for chunk in _chunks(list(built.stamps)):
        rows = TicketEvent.objects.filter(ticket_id__in=chunk).order_by("ticket_id", "id")
        position: dict[int, int] = {}
        for event_id, ticket_id in rows.values_list("id", "ticket_id"):
            i = position.get(ticket_id, 0)
            position[ticket_id] = i + 1
            times = built.stamps[ticket_id]
            events.append(TicketEvent(pk=event_id, created_at=times[min(i, len(times) - 1)]))
    TicketEvent.objects.bulk_update(events, ["created_at"], batch_size=500)
    event_time = Subquery(
        TicketEvent.objects.filter(pk=OuterRef("event_id")).values("created_at")[:1]
    )
    first_report = Subquery(
        Ticket.objects.filter(customer=OuterRef("pk"))
        .order_by("created_at")
        .values("created_at")[:1]
    )
    report = Subquery(Ticket.objects.filter(address=OuterRef("pk")).values("created_at")[:1])
    for chunk in _chunks(list(built.stamps)):
        Notification.objects.filter(ticket_id__in=chunk, event__isnull=False).update(
            created_at=event_time
        )
    for chunk in _chunks(sorted(built.customers)):
        Customer.objects.filter(pk__in=chunk).update(
            created_at=first_report, updated_at=first_report
        )
    for chunk in _chunks(sorted(built.addresses)):
        Address.objects.filter(pk__in=chunk).update(created_at=report, updated_at=report)


def _sla_clocks_backdate(built: _Built) -> None:
    """Shift each ticket's SLA clocks with its report time (before the tickets move).

    Open demo tickets whose promises lie in the past then show up as overdue at
    the worker's first tick, as they would in a live network with that history.
    """
    created = {}
    for chunk in _chunks(list(built.fields)):
        created.update(Ticket.objects.filter(pk__in=chunk).values_list("pk", "created_at"))
    clocks = []
    stamps = ("started_at", "warn_at", "due_at", "met_at", "cancelled_at")
    for chunk in _chunks(list(built.fields)):
        for clock in SlaClock.objects.filter(ticket_id__in=chunk):
            shift = built.fields[clock.ticket_id]["created_at"] - created[clock.ticket_id]
            for name in stamps:
                value = getattr(clock, name)
                if value is not None:
                    setattr(clock, name, value + shift)
            clocks.append(clock)
    SlaClock.objects.bulk_update(clocks, list(stamps), batch_size=500)


def _sent_at_backdate(built: _Built) -> None:
    """Demo-only: messages the load sent count as sent when their event happened."""
    event_time = Subquery(
        TicketEvent.objects.filter(pk=OuterRef("event_id")).values("created_at")[:1]
    )
    for chunk in _chunks(list(built.stamps)):
        Notification.objects.filter(
            ticket_id__in=chunk, event__isnull=False, state=DeliveryState.SENT
        ).update(sent_at=event_time)


_TICKET_STAMPS: dict[str, datetime | None] = {
    "created_at": None,
    "updated_at": None,
    "assigned_at": None,
    "accepted_at": None,
    "arrived_at": None,
    "completed_at": None,
    "closed_at": None,
    "cancelled_at": None,
}


# --- small helpers ----------------------------------------------------------


def _area(index: int) -> data.DemoArea:
    return data.AREAS[index % len(data.AREAS)]


def _deg(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def _jitter(lat: float, lon: float, km: float, rng: random.Random) -> tuple[float, float]:
    """A point up to ``km`` kilometres from (lat, lon) in each direction."""
    dlat = rng.uniform(-km, km) / 111.0
    dlon = rng.uniform(-km, km) / (111.0 * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def _person_name(rng: random.Random) -> str:
    return rng.choice(data.SURNAMES) + rng.choice(data.GIVEN_NAMES)


def _chunks(items: Iterable[int], size: int = 500) -> Iterator[list[int]]:
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]
