"""Immediate assignment: who is proposed, in which order, and what happens then."""

import threading
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from baoxiu.areas.services import coverage_import
from baoxiu.catalog.choices import Priority
from baoxiu.core import queue
from baoxiu.core.errors import ConcurrentUpdate
from baoxiu.dispatch.assignment import assignment_candidates, ticket_eta
from baoxiu.dispatch.choices import AlertKind
from baoxiu.dispatch.models import DispatchAlert, DispatchSuggestion
from baoxiu.dispatch.services import ticket_auto_dispatch
from baoxiu.evidence.services import completion_confirm_by_customer
from baoxiu.tickets.choices import EventType, TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ticket_transition
from baoxiu.workforce.models import Technician
from baoxiu.workforce.services import on_call_shift_add
from tests.factories import (
    FaultTypeFactory,
    OutletFactory,
    SkillFactory,
    TechnicianFactory,
    UserFactory,
    approve_quote,
    make_ticket,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALL_DAY = {"work_start": time(0, 0), "work_end": time(23, 59, 59), "break_minutes": 0}
# 深圳市南山区: the tickets' address resolves here (113.93, 22.53 or so).
NEAR = (Decimal("113.935"), Decimal("22.535"))
MIDDLE = (Decimal("114.000"), Decimal("22.560"))
FAR = (Decimal("114.300"), Decimal("22.650"))


@pytest.fixture
def outlet(db):
    outlet = OutletFactory(code="SZ01", name="南山网点")
    coverage_import(outlet=outlet, text="深圳市南山区", emergency_available=True)
    return outlet


def tech(outlet, name, point, skills=(), **extra):
    technician = TechnicianFactory(
        outlet=outlet,
        name=name,
        home_longitude=point[0],
        home_latitude=point[1],
        **{**ALL_DAY, **extra},
    )
    technician.skills.set(skills)
    return technician


def names(candidates):
    return [c.name for c in candidates]


@pytest.mark.django_db
def test_nearest_free_technician_first_with_reason(outlet, fault_type):
    tech(outlet, "远", FAR)
    tech(outlet, "近", NEAR)
    tech(outlet, "中", MIDDLE)
    ticket = make_ticket(fault_type=fault_type)

    candidates = assignment_candidates(ticket=ticket)

    assert names(candidates) == ["近", "中", "远"]
    assert (
        candidates[0].travel_seconds < candidates[1].travel_seconds < candidates[2].travel_seconds
    )
    assert candidates[0].reason.startswith("空闲，路程约")
    assert all(c.on_time for c in candidates)  # normal work: on site by tomorrow


@pytest.mark.django_db
def test_only_covered_skilled_and_working_technicians(outlet):
    lock_body = SkillFactory(code="lock-body")
    fault = FaultTypeFactory(code="motor")
    fault.required_skills.set([lock_body])
    tech(outlet, "有技能", MIDDLE, skills=[lock_body])
    tech(outlet, "无技能", NEAR)
    elsewhere = OutletFactory(code="BX01")
    coverage_import(outlet=elsewhere, text="本溪市南芬区")
    tech(elsewhere, "外区", NEAR, skills=[lock_body])
    tech(outlet, "休息", NEAR, skills=[lock_body], active=False)
    ticket = make_ticket(fault_type=fault)

    assert names(assignment_candidates(ticket=ticket)) == ["有技能"]


@pytest.mark.django_db
def test_working_hours_break_and_on_call_rota(outlet, fault_type):
    day = tech(
        outlet, "白班", NEAR, work_start=time(8, 30), work_end=time(18, 30), break_minutes=60
    )
    night = tech(outlet, "值班", FAR, work_start=time(8, 30), work_end=time(18, 30))
    ticket = make_ticket(fault_type=fault_type)
    evening = datetime(2026, 11, 30, 21, 0, tzinfo=SHANGHAI)
    on_call_shift_add(
        technician=night,
        starts_at=evening - timedelta(hours=3),
        ends_at=evening + timedelta(hours=9),
    )
    morning = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
    lunch = datetime(2026, 11, 30, 12, 15, tzinfo=SHANGHAI)

    assert names(assignment_candidates(ticket=ticket, now=morning)) == ["白班", "值班"]
    assert names(assignment_candidates(ticket=ticket, now=lunch)) == ["值班"]  # 白班 at lunch
    assert names(assignment_candidates(ticket=ticket, now=evening)) == []  # rota: emergencies only
    Ticket.objects.filter(pk=ticket.pk).update(priority=Priority.EMERGENCY)
    ticket.refresh_from_db()
    assert names(assignment_candidates(ticket=ticket, now=evening)) == [night.name]
    assert day.name not in names(assignment_candidates(ticket=ticket, now=lunch))


@pytest.mark.django_db
def test_emergency_goes_before_queued_work_normal_after(outlet, fault_type, dispatcher):
    busy = tech(outlet, "手头有单", NEAR)
    tech(outlet, "稍远空闲", MIDDLE)
    queued = make_ticket(fault_type=fault_type, phone="13900000001")
    ticket_transition(ticket=queued, action="assign", actor=dispatcher, technician=busy)
    ticket_transition(ticket=queued, action="accept", actor=busy.user)
    ticket = make_ticket(fault_type=fault_type)

    now = timezone.now()
    normal = assignment_candidates(ticket=ticket, now=now)
    assert names(normal) == ["稍远空闲", "手头有单"]
    # The queued hour-long job plus the drive to it come first.
    waited = normal[1].free_at - now
    assert timedelta(minutes=60) < waited < timedelta(minutes=70)
    assert normal[1].reason.startswith(
        f"完成手头 {round(waited.total_seconds() / 60)} 分钟工作后前往"
    )

    Ticket.objects.filter(pk=ticket.pk).update(priority=Priority.EMERGENCY)
    ticket.refresh_from_db()
    assert names(assignment_candidates(ticket=ticket)) == ["手头有单", "稍远空闲"]


@pytest.mark.django_db
def test_deadline_decides_on_time(outlet, fault_type):
    tech(outlet, "远", FAR)
    ticket = make_ticket(fault_type=fault_type)
    now = timezone.now()
    [late] = assignment_candidates(ticket=ticket, now=now, deadline=now + timedelta(minutes=10))
    [fine] = assignment_candidates(ticket=ticket, now=now, deadline=now + timedelta(hours=3))
    assert (late.on_time, fine.on_time) == (False, True)
    assert late.eta == fine.eta > now + timedelta(minutes=10)


@pytest.mark.django_db
def test_auto_mode_assigns_the_best_on_time(outlet, fault_type, settings):
    settings.DISPATCH_MODE = "auto"
    near = tech(outlet, "近", NEAR)
    tech(outlet, "远", FAR)
    ticket = make_ticket(fault_type=fault_type)

    assert queue.work(burst=True) >= 3  # start dispatch, auto-assign, messages

    ticket.refresh_from_db()
    assert (ticket.status, ticket.technician_id) == (TicketStatus.ASSIGNED, near.pk)
    suggestion = DispatchSuggestion.objects.get(ticket=ticket)
    assert (suggestion.assigned, suggestion.on_time, suggestion.mode) == (True, True, "auto")
    assert [c["name"] for c in suggestion.candidates] == ["近", "远"]
    assigned = ticket.events.get(type=EventType.ASSIGNED)
    assert (assigned.actor_id, assigned.note) == (None, suggestion.candidates[0]["reason"])


@pytest.mark.django_db
def test_suggest_mode_leaves_the_choice_to_the_dispatcher(outlet, fault_type, settings):
    settings.DISPATCH_MODE = "suggest"
    tech(outlet, "近", NEAR)
    ticket = make_ticket(fault_type=fault_type)
    queue.work(burst=True)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.technician_id) == (TicketStatus.DISPATCHING, None)
    suggestion = DispatchSuggestion.objects.get(ticket=ticket)
    assert (suggestion.assigned, [c["name"] for c in suggestion.candidates]) == (False, ["近"])


def busy_on_site(technician, fault_type, dispatcher):
    """Arrange: ``technician`` is working on another customer's job right now."""
    job = make_ticket(fault_type=fault_type, phone="13900139000")
    ticket_transition(ticket=job, action="assign", actor=dispatcher, technician=technician)
    for action in ("accept", "depart", "arrive", "start_work"):
        if action == "start_work":
            approve_quote(job)  # work starts on an approved quote
        job = ticket_transition(ticket=job, action=action, actor=technician.user)
    return job


@pytest.mark.django_db
def test_nobody_in_time_is_said_at_once_and_the_free_one_goes(outlet, settings):
    settings.DISPATCH_MODE = "auto"
    emergency = FaultTypeFactory(code="locked-out", priority=Priority.EMERGENCY)
    far = tech(outlet, "很远", (Decimal("114.60"), Decimal("22.75")))
    ticket = make_ticket(fault_type=emergency)
    ticket_transition(ticket=ticket, action="dispatch")
    # Its clocks started at creation: on site within 30 minutes.

    suggestion = ticket_auto_dispatch(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert (suggestion.on_time, suggestion.assigned) == (False, True)
    assert (ticket.status, ticket.technician_id) == (TicketStatus.ASSIGNED, far.pk)
    alert = DispatchAlert.objects.get(ticket=ticket, kind=AlertKind.LATE_RISK)
    assert alert.message.startswith("无人能按时到达：最早由很远于")
    assert ticket.events.filter(type=EventType.LATE_RISK).count() == 1
    assigned = ticket.events.get(type=EventType.ASSIGNED)
    assert assigned.note.startswith("无人能按时到达，由最早能到的空闲师傅接手：空闲，路程约")


@pytest.mark.django_db
def test_late_emergency_waits_for_the_busy_technician_and_goes_when_free(
    outlet, fault_type, dispatcher, settings
):
    settings.DISPATCH_MODE = "auto"
    emergency = FaultTypeFactory(code="locked-out", priority=Priority.EMERGENCY)
    near = tech(outlet, "近", NEAR)
    job = busy_on_site(near, fault_type, dispatcher)  # an hour's work left
    ticket = make_ticket(fault_type=emergency)
    ticket_transition(ticket=ticket, action="dispatch")

    first = ticket_auto_dispatch(ticket_id=ticket.pk)
    later = timezone.now() + timedelta(minutes=1)
    again = ticket_auto_dispatch(ticket_id=ticket.pk, now=later)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.technician_id) == (TicketStatus.DISPATCHING, None)
    assert (first.on_time, first.assigned, again.assigned) == (False, False, False)
    assert first.candidates[0]["name"] == "近"
    # The same proposal a minute later refreshes the one row instead of adding one.
    assert again.pk == first.pk
    assert list(DispatchSuggestion.objects.filter(ticket=ticket).values_list("created_at")) == [
        (later,)
    ]
    # Someone else appears: the proposal changed, so it gets its own row.
    tech(outlet, "远", FAR)
    third = ticket_auto_dispatch(ticket_id=ticket.pk, now=later + timedelta(minutes=1))
    assert third.pk != first.pk
    assert ([c["name"] for c in third.candidates], third.assigned) == (["近", "远"], False)
    assert DispatchSuggestion.objects.filter(ticket=ticket).count() == 2
    # Said once, not at every new decision.
    assert DispatchAlert.objects.filter(ticket=ticket, kind=AlertKind.LATE_RISK).count() == 1
    assert ticket.events.filter(type=EventType.LATE_RISK).count() == 1

    completion_confirm_by_customer(ticket=job)
    ticket_transition(ticket=job, action="complete", actor=near.user)
    queue.work(burst=True)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.technician_id) == (TicketStatus.ASSIGNED, near.pk)
    assert ticket.events.filter(type=EventType.LATE_RISK).count() == 1


@pytest.mark.django_db
def test_suggest_mode_never_assigns_a_late_emergency(outlet, settings):
    settings.DISPATCH_MODE = "suggest"
    emergency = FaultTypeFactory(code="locked-out", priority=Priority.EMERGENCY)
    tech(outlet, "很远", (Decimal("114.60"), Decimal("22.75")))
    ticket = make_ticket(fault_type=emergency)
    ticket_transition(ticket=ticket, action="dispatch")

    suggestion = ticket_auto_dispatch(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert (ticket.status, suggestion.assigned) == (TicketStatus.DISPATCHING, False)
    assert ticket.events.filter(type=EventType.LATE_RISK).count() == 1


@pytest.mark.django_db
def test_late_normal_work_is_left_to_the_dispatcher(outlet, settings):
    settings.DISPATCH_MODE = "auto"
    normal = FaultTypeFactory(code="motor")
    tech(outlet, "很远", (Decimal("114.60"), Decimal("22.75")))
    ticket = make_ticket(fault_type=normal)
    ticket_transition(ticket=ticket, action="dispatch")

    suggestion = ticket_auto_dispatch(ticket_id=ticket.pk, now=timezone.now() + timedelta(days=2))

    ticket.refresh_from_db()
    assert (suggestion.on_time, suggestion.assigned) == (False, False)
    assert ticket.status == TicketStatus.DISPATCHING


@pytest.mark.django_db
def test_no_eligible_technician(outlet, fault_type):
    ticket = make_ticket(fault_type=fault_type)
    ticket_transition(ticket=ticket, action="dispatch")
    suggestion = ticket_auto_dispatch(ticket_id=ticket.pk)
    assert suggestion.candidates == []
    assert DispatchAlert.objects.get(ticket=ticket).kind == AlertKind.NO_TECHNICIAN


@pytest.mark.django_db
def test_declined_job_goes_straight_back_to_someone_else(outlet, fault_type, settings):
    settings.DISPATCH_MODE = "auto"
    near = tech(outlet, "近", NEAR)
    other = tech(outlet, "远", FAR)
    ticket = make_ticket(fault_type=fault_type)
    queue.work(burst=True)
    ticket.refresh_from_db()
    assert ticket.technician_id == near.pk

    ticket_transition(ticket=ticket, action="decline", actor=near.user, note="车坏了")
    queue.work(burst=True)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.technician_id) == (TicketStatus.ASSIGNED, other.pk)


@pytest.mark.django_db
def test_auto_dispatch_leaves_assigned_tickets_alone(outlet, fault_type, dispatcher):
    technician = tech(outlet, "近", NEAR)
    ticket = make_ticket(fault_type=fault_type)
    ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)
    assert ticket_auto_dispatch(ticket_id=ticket.pk) is None
    assert DispatchSuggestion.objects.count() == 0


@pytest.mark.django_db
def test_eta_of_an_assigned_ticket_follows_the_technician(outlet, fault_type, dispatcher):
    technician = tech(outlet, "师傅", FAR)
    ticket = make_ticket(fault_type=fault_type)
    assert ticket_eta(ticket) is None
    ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)
    now = timezone.now()
    from_home = ticket_eta(ticket, now=now)
    technician.last_longitude, technician.last_latitude = NEAR
    technician.last_located_at = now
    technician.save(update_fields=["last_longitude", "last_latitude", "last_located_at"])
    ticket.refresh_from_db()
    nearby = ticket_eta(ticket, now=now)
    assert now < nearby < from_home


@pytest.mark.django_db(transaction=True)
def test_auto_assignment_racing_a_dispatcher_one_wins(outlet, fault_type, settings):
    settings.DISPATCH_MODE = "auto"
    tech(outlet, "近", NEAR)
    manual = tech(outlet, "调度选的", FAR)
    dispatcher = UserFactory(username="desk", role="dispatcher")
    ticket = make_ticket(fault_type=fault_type)
    ticket_transition(ticket=ticket, action="dispatch")
    seen = Ticket.objects.get(pk=ticket.pk)
    barrier = threading.Barrier(2)
    outcomes = []

    def run(fn):
        try:
            barrier.wait()
            fn()
            outcomes.append("ok")
        except ConcurrentUpdate:
            outcomes.append("lost")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(lambda: ticket_auto_dispatch(ticket_id=ticket.pk),)),
        threading.Thread(
            target=run,
            args=(
                lambda: ticket_transition(
                    ticket=seen, action="assign", actor=dispatcher, technician=manual
                ),
            ),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ASSIGNED
    assert ticket.events.filter(type=EventType.ASSIGNED).count() == 1
    assert sorted(outcomes) in (["lost", "ok"], ["ok", "ok"])


@pytest.mark.django_db
def test_a_new_emergency_queues_behind_emergencies_already_held(outlet, dispatcher):
    locked = FaultTypeFactory(code="locked-out", priority=Priority.EMERGENCY)
    holder = tech(outlet, "已有急修", NEAR)
    tech(outlet, "空闲", MIDDLE)
    held = make_ticket(fault_type=locked, phone="13900000009")
    ticket_transition(ticket=held, action="assign", actor=dispatcher, technician=holder)
    ticket_transition(ticket=held, action="accept", actor=holder.user)
    ticket = make_ticket(fault_type=locked)

    candidates = assignment_candidates(ticket=ticket)

    # The held emergency (60 min on site) is not skipped: the idle colleague is faster.
    assert names(candidates) == ["空闲", "已有急修"]


def lockout_fault():
    """The emergency fault and its two skills, as the demo catalog has them."""
    opener = SkillFactory(code="lock-opening")
    electrical = SkillFactory(code="electrical")
    locked = FaultTypeFactory(code="locked-out", priority=Priority.EMERGENCY)
    locked.required_skills.set([opener, electrical])
    return locked, [opener, electrical]


@pytest.mark.django_db
def test_technicians_who_can_open_locks_are_kept_for_emergencies(outlet, fault_type, settings):
    settings.DISPATCH_EMERGENCY_RESERVE = 0  # the preference alone, no cover reserve
    _locked, skills = lockout_fault()
    tech(outlet, "会开锁", NEAR, skills=skills)
    tech(outlet, "普通", MIDDLE)
    ticket = make_ticket(fault_type=fault_type)  # normal work, due tomorrow

    assert names(assignment_candidates(ticket=ticket)) == ["普通", "会开锁"]
    # When only the opener can make the deadline, the deadline wins.
    now = timezone.now()
    [first, _] = assignment_candidates(ticket=ticket, now=now, deadline=now + timedelta(minutes=9))
    assert (first.name, first.on_time, first.held) == ("会开锁", True, False)


@pytest.mark.django_db
def test_a_reported_position_counts_only_while_fresh(outlet, fault_type):
    moved = tech(outlet, "报过位置", FAR)
    tech(outlet, "在家", MIDDLE)
    ticket = make_ticket(fault_type=fault_type)
    now = timezone.now()
    moved.last_longitude, moved.last_latitude = NEAR
    moved.last_located_at = now - timedelta(minutes=5)
    moved.save(update_fields=["last_longitude", "last_latitude", "last_located_at"])

    assert names(assignment_candidates(ticket=ticket, now=now)) == ["报过位置", "在家"]
    # Twenty minutes later the report is stale: the planner counts from home again.
    later = now + timedelta(minutes=20)
    assert names(assignment_candidates(ticket=ticket, now=later)) == ["在家", "报过位置"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("priority", "most"),
    # Required skills, technicians with their rota, held jobs, the SLA clock; other
    # work also reads which skills emergencies need and who holds them (the reserve).
    # Here nobody reaches the emergency in time (everyone holds two emergencies), so
    # it also reads what a hand-over needs: how often each held one was taken back,
    # their clocks, their tickets, their faults' skills, who holds those, coverage.
    [(Priority.EMERGENCY, 10), (Priority.NORMAL, 6)],
)
def test_a_decision_takes_the_same_few_queries_however_large_the_city(
    outlet, dispatcher, priority, most
):
    from django.test.utils import CaptureQueriesContext

    opener = SkillFactory(code="lock-opening")
    locked = FaultTypeFactory(code="locked-out", priority=Priority.EMERGENCY)
    locked.required_skills.set([opener])
    ticket = make_ticket(fault_type=locked)
    Ticket.objects.filter(pk=ticket.pk).update(priority=priority)
    ticket = Ticket.objects.select_related("address", "fault_type").get(pk=ticket.pk)
    now = timezone.now()
    counts, technicians = [], 0
    for size in (1, 8):  # technicians added, each on the rota and holding two jobs
        for _ in range(size):
            technicians += 1
            technician = tech(outlet, f"师傅{technicians}", MIDDLE, skills=[opener])
            on_call_shift_add(
                technician=technician,
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(hours=1),
            )
            for job in range(2):
                held = make_ticket(fault_type=locked, phone=f"139{technicians:05d}{job:03d}")
                ticket_transition(
                    ticket=held, action="assign", actor=dispatcher, technician=technician
                )
        with CaptureQueriesContext(connection) as queries:
            candidates = assignment_candidates(ticket=ticket, now=now, limit=None)
        assert len(candidates) == technicians
        assert {c.open_jobs for c in candidates} == {2}
        counts.append(len(queries))
    assert counts[0] == counts[1] <= most


@pytest.mark.django_db
def test_an_opener_is_not_sent_when_that_leaves_the_area_without_cover(
    outlet, fault_type, settings
):
    settings.DISPATCH_EMERGENCY_RESERVE = 1
    _locked, skills = lockout_fault()
    tech(outlet, "会开锁", NEAR, skills=skills)
    tech(outlet, "远处开锁", FAR, skills=skills)  # ~40 km away: not within 30 minutes
    tech(outlet, "普通", MIDDLE)
    ticket = make_ticket(fault_type=fault_type)
    now = timezone.now()

    candidates = assignment_candidates(ticket=ticket, now=now, deadline=now + timedelta(minutes=9))

    # Only the near opener makes the deadline, but nobody else could answer a
    # lockout here in time: the late colleague goes first, both openers are held.
    assert names(candidates) == ["普通", "会开锁", "远处开锁"]
    assert [(c.on_time, c.held) for c in candidates] == [
        (False, False),
        (True, True),
        (False, True),
    ]
    assert candidates[1].reason.startswith(
        "留作急修备勤（派走后附近能按时赶到急修的其他师傅不足 1 人）"
    )


@pytest.mark.django_db
def test_an_opener_is_sent_when_another_still_covers_the_area(outlet, fault_type, settings):
    settings.DISPATCH_EMERGENCY_RESERVE = 1
    _locked, skills = lockout_fault()
    tech(outlet, "会开锁", NEAR, skills=skills)
    tech(outlet, "附近开锁", MIDDLE, skills=skills)  # ~20 minutes from the job and from 会开锁
    tech(outlet, "普通", MIDDLE)
    ticket = make_ticket(fault_type=fault_type)
    now = timezone.now()

    candidates = assignment_candidates(ticket=ticket, now=now, deadline=now + timedelta(minutes=9))

    assert [(c.name, c.on_time, c.held) for c in candidates] == [
        ("会开锁", True, False),  # 附近开锁 still reaches both areas within 30 minutes
        ("普通", False, False),
        ("附近开锁", False, False),
    ]
    # Two required: neither may leave (each has only the other), and they rank last.
    settings.DISPATCH_EMERGENCY_RESERVE = 2
    candidates = assignment_candidates(ticket=ticket, now=now, deadline=now + timedelta(minutes=9))
    assert [(c.name, c.held) for c in candidates] == [
        ("普通", False),
        ("会开锁", True),
        ("附近开锁", True),
    ]


@pytest.mark.django_db
def test_a_busy_opener_does_not_cover_and_the_on_call_rota_does(
    outlet, fault_type, dispatcher, settings
):
    settings.DISPATCH_EMERGENCY_RESERVE = 1
    locked, skills = lockout_fault()
    tech(outlet, "会开锁", NEAR, skills=skills)
    busy = tech(outlet, "忙碌开锁", MIDDLE, skills=skills)
    tech(outlet, "普通", MIDDLE)
    busy_on_site(busy, locked, dispatcher)  # an hour's lockout work left
    ticket = make_ticket(fault_type=fault_type)
    now = timezone.now()

    first = assignment_candidates(ticket=ticket, now=now, limit=None)[0]
    assert (first.name, first.held) == ("普通", False)
    held = {c.name: c.held for c in assignment_candidates(ticket=ticket, now=now, limit=None)}
    # 会开锁 is held (the only other opener is on site for an hour); the busy one is
    # not: 会开锁 is free and covers both its area and the job's.
    assert held == {"普通": False, "会开锁": True, "忙碌开锁": False}

    # Off shift but on the on-call rota nearby: covers emergencies, so the opener may go.
    rota = tech(
        outlet, "值班开锁", MIDDLE, skills=skills, work_start=time(0, 0), work_end=time(0, 1)
    )
    on_call_shift_add(
        technician=rota, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=8)
    )
    soon = now + timedelta(minutes=9)  # only 会开锁 makes it
    first = assignment_candidates(ticket=ticket, now=now, deadline=soon)[0]
    assert (first.name, first.on_time, first.held) == ("会开锁", True, False)


@pytest.mark.django_db
def test_work_only_held_openers_could_take_is_left_to_the_dispatcher(outlet, fault_type, settings):
    settings.DISPATCH_MODE = "auto"
    settings.DISPATCH_EMERGENCY_RESERVE = 1
    _locked, skills = lockout_fault()
    opener = tech(outlet, "会开锁", NEAR, skills=skills)
    ticket = make_ticket(fault_type=fault_type)
    ticket_transition(ticket=ticket, action="dispatch")

    suggestion = ticket_auto_dispatch(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert (suggestion.on_time, suggestion.assigned) == (True, False)
    assert suggestion.candidates[0]["held"] is True
    assert (ticket.status, ticket.technician_id) == (TicketStatus.DISPATCHING, None)
    alert = DispatchAlert.objects.get(ticket=ticket, kind=AlertKind.NO_TECHNICIAN)
    assert alert.message == "能接此单的师傅都需留作急修备勤：请调度决定是否派出"

    settings.DISPATCH_EMERGENCY_RESERVE = 0  # no reserve: the opener is sent
    suggestion = ticket_auto_dispatch(ticket_id=ticket.pk)
    ticket.refresh_from_db()
    assert (suggestion.assigned, ticket.technician_id) == (True, opener.pk)


@pytest.mark.django_db
def test_an_emergency_is_never_held(outlet, settings):
    settings.DISPATCH_EMERGENCY_RESERVE = 5
    locked, skills = lockout_fault()
    tech(outlet, "会开锁", NEAR, skills=skills)
    ticket = make_ticket(fault_type=locked)

    [only] = assignment_candidates(ticket=ticket)

    assert (only.name, only.on_time, only.held) == ("会开锁", True, False)


def en_route(technician, fault_type, dispatcher, phone="13900139001"):
    """Arrange: ``technician`` is driving to another customer's job right now."""
    job = make_ticket(fault_type=fault_type, phone=phone)
    ticket_transition(ticket=job, action="assign", actor=dispatcher, technician=technician)
    for action in ("accept", "depart"):
        job = ticket_transition(ticket=job, action=action, actor=technician.user)
    return job


@pytest.mark.django_db
def test_an_emergency_turns_back_a_technician_driving_to_other_work(
    outlet, fault_type, dispatcher, settings
):
    settings.DISPATCH_MODE = "auto"
    settings.DISPATCH_DIVERT_EN_ROUTE = True
    locked, skills = lockout_fault()
    driving = tech(outlet, "在途", NEAR, skills=skills)
    tech(outlet, "很远", FAR, skills=skills)
    other = en_route(driving, fault_type, dispatcher)  # next door, then 60 minutes of work
    emergency = make_ticket(fault_type=locked)
    ticket_transition(ticket=emergency, action="dispatch")

    [first, second] = assignment_candidates(ticket=emergency)
    assert (first.name, first.on_time, first.diverts) == ("在途", True, True)
    assert first.reason.startswith("放下在途的非紧急工单改去急修，路程约")
    assert (second.name, second.on_time, second.diverts) == ("很远", False, False)

    suggestion = ticket_auto_dispatch(ticket_id=emergency.pk)

    emergency.refresh_from_db()
    other.refresh_from_db()
    assert (suggestion.assigned, emergency.technician_id) == (True, driving.pk)
    assert (other.status, other.technician_id) == (TicketStatus.DISPATCHING, None)
    turned = other.events.get(type=EventType.UNASSIGNED)
    assert turned.note == f"师傅改去处理急修工单 {emergency.code}，本单重新派单"
    assert turned.data == {"technician_id": driving.pk}


@pytest.mark.django_db
def test_no_one_is_turned_back_when_the_setting_is_off_or_it_would_not_make_the_promise(
    outlet, fault_type, dispatcher, settings
):
    locked, skills = lockout_fault()
    driving = tech(outlet, "在途", NEAR, skills=skills)
    en_route(driving, fault_type, dispatcher)
    emergency = make_ticket(fault_type=locked)

    settings.DISPATCH_DIVERT_EN_ROUTE = False
    [only] = assignment_candidates(ticket=emergency)
    assert (only.on_time, only.diverts) == (False, False)  # after the 60-minute job

    settings.DISPATCH_DIVERT_EN_ROUTE = True
    # Reported from far away (the phone's fresh position): turning back is too late too.
    Technician.objects.filter(pk=driving.pk).update(
        last_longitude=FAR[0], last_latitude=FAR[1], last_located_at=timezone.now()
    )
    [only] = assignment_candidates(ticket=emergency)
    assert (only.on_time, only.diverts) == (False, False)
    # Work that is not an emergency never turns anyone back.
    later = make_ticket(fault_type=fault_type, phone="13900139002")
    assert not any(c.diverts for c in assignment_candidates(ticket=later))


# Three points on one east-west line through the tickets' address (NEAR): about
# 8 km apart, so 24 minutes' drive from one to the next and 41 from the first
# to the third (the default estimate).
EAST_8KM = (Decimal("114.013"), Decimal("22.535"))
EAST_16KM = (Decimal("114.091"), Decimal("22.535"))


def place(ticket, point):
    from baoxiu.tickets.models import Address

    Address.objects.filter(pk=ticket.address_id).update(longitude=point[0], latitude=point[1])


def driving_to_emergency(outlet, locked, skills, dispatcher, point, phone="13900139005"):
    """Arrange: 在途急修 left the tickets' address for an emergency at ``point``."""
    driver = tech(outlet, "在途急修", NEAR, skills=skills)
    Technician.objects.filter(pk=driver.pk).update(
        last_longitude=NEAR[0], last_latitude=NEAR[1], last_located_at=timezone.now()
    )
    first = make_ticket(fault_type=locked, phone=phone)
    place(first, point)
    ticket_transition(ticket=first, action="assign", actor=dispatcher, technician=driver)
    for action in ("accept", "depart"):
        first = ticket_transition(ticket=first, action=action, actor=driver.user)
    return driver, first


def overdue(ticket):
    """Its customer reported 40 minutes ago: the 30-minute arrival clock has run out."""
    from baoxiu.dispatch.choices import ClockKind
    from baoxiu.dispatch.models import SlaClock

    SlaClock.objects.filter(ticket=ticket, kind=ClockKind.ARRIVE).update(
        due_at=timezone.now() - timedelta(minutes=10)
    )


@pytest.mark.django_db
def test_a_late_emergency_gives_way_to_one_that_can_still_be_reached_in_time(
    outlet, dispatcher, settings
):
    settings.DISPATCH_MODE = "auto"
    settings.DISPATCH_EMERGENCY_HANDOVER = 2
    locked, skills = lockout_fault()
    driver, late = driving_to_emergency(outlet, locked, skills, dispatcher, EAST_8KM)
    overdue(late)
    tech(outlet, "很远", FAR, skills=skills)
    new = make_ticket(fault_type=locked)  # next to the driver
    ticket_transition(ticket=new, action="dispatch")

    first = assignment_candidates(ticket=new)[0]
    assert (first.name, first.on_time, first.diverts, first.hands_over) == (
        "在途急修",
        True,
        True,
        late.pk,
    )
    assert first.reason.startswith("在途的急修已无法按时到达或可由他人按时接手，改来本单")

    suggestion = ticket_auto_dispatch(ticket_id=new.pk)

    new.refresh_from_db()
    late.refresh_from_db()
    assert (suggestion.assigned, new.technician_id) == (True, driver.pk)
    assert (late.status, late.technician_id) == (TicketStatus.DISPATCHING, None)
    given_up = late.events.get(type=EventType.UNASSIGNED)
    assert given_up.note == (
        f"师傅改去另一张急修工单 {new.code}（本单已无法按时到达或另有师傅能按时赶到），本单重新派单"
    )


@pytest.mark.django_db
def test_an_emergency_in_time_is_handed_to_a_colleague_who_still_makes_it(
    outlet, dispatcher, settings
):
    settings.DISPATCH_MODE = "auto"
    settings.DISPATCH_EMERGENCY_HANDOVER = 2
    locked, skills = lockout_fault()
    # 在途急修 reaches the emergency 8 km east in 24 minutes: in time. So would
    # 东边, idle 8 km beyond it, who is 41 minutes from the new one: too late.
    driver, first = driving_to_emergency(outlet, locked, skills, dispatcher, EAST_8KM)
    east = tech(outlet, "东边", EAST_16KM, skills=skills)
    new = make_ticket(fault_type=locked)
    ticket_transition(ticket=new, action="dispatch")

    settings.DISPATCH_EMERGENCY_HANDOVER = 0  # off: the new one is late
    best = assignment_candidates(ticket=new)[0]
    assert (best.name, best.on_time, best.hands_over) == ("东边", False, 0)

    settings.DISPATCH_EMERGENCY_HANDOVER = 2
    ticket_auto_dispatch(ticket_id=new.pk)
    queue.work(burst=True)  # the one given up is decided again

    new.refresh_from_db()
    first.refresh_from_db()
    assert new.technician_id == driver.pk
    assert (first.status, first.technician_id) == (TicketStatus.ASSIGNED, east.pk)
    taken = DispatchSuggestion.objects.filter(ticket=first).latest("created_at")
    assert (taken.on_time, taken.assigned) == (True, True)  # both promises kept


@pytest.mark.django_db
def test_no_emergency_gives_way_needlessly_or_at_the_cost_of_its_promise(
    outlet, dispatcher, settings
):
    settings.DISPATCH_EMERGENCY_HANDOVER = 2
    locked, skills = lockout_fault()
    driver, first = driving_to_emergency(outlet, locked, skills, dispatcher, EAST_8KM)
    far = tech(outlet, "很远", FAR, skills=skills)
    new = make_ticket(fault_type=locked)

    # In time for its own customer, and nobody else would be: it keeps its technician.
    best = assignment_candidates(ticket=new)[0]
    assert (best.on_time, best.diverts) == (False, False)

    # Late anyway, but given up as often as allowed already.
    overdue(first)
    settings.DISPATCH_EMERGENCY_HANDOVER = 1
    ticket_transition(ticket=first, action="unassign", actor=dispatcher, note="调度改派")
    ticket_transition(ticket=first, action="assign", actor=dispatcher, technician=driver)
    for action in ("accept", "depart"):
        ticket_transition(ticket=first, action=action, actor=driver.user)
    best = assignment_candidates(ticket=new)[0]
    assert (best.on_time, best.diverts) == (False, False)
    settings.DISPATCH_EMERGENCY_HANDOVER = 2
    assert assignment_candidates(ticket=new)[0].hands_over == first.pk

    # Someone reaches the new one in time without it: nobody gives way.
    Technician.objects.filter(pk=far.pk).update(home_longitude=NEAR[0], home_latitude=NEAR[1])
    best = assignment_candidates(ticket=new)[0]
    assert (best.name, best.on_time, best.diverts) == ("很远", True, False)


@pytest.mark.django_db
def test_a_queued_late_emergency_gives_way_too(outlet, fault_type, dispatcher, settings):
    settings.DISPATCH_MODE = "auto"
    settings.DISPATCH_EMERGENCY_HANDOVER = 2
    locked, skills = lockout_fault()
    worker = tech(outlet, "在做", NEAR, skills=skills)
    job = busy_on_site(worker, fault_type, dispatcher)
    # Fifty minutes into the hour's work: free in ten, next door to the new one.
    Ticket.objects.filter(pk=job.pk).update(arrived_at=timezone.now() - timedelta(minutes=50))
    queued = make_ticket(fault_type=locked, phone="13900139006")
    place(queued, EAST_16KM)
    ticket_transition(ticket=queued, action="assign", actor=dispatcher, technician=worker)
    overdue(queued)
    new = make_ticket(fault_type=locked)
    ticket_transition(ticket=new, action="dispatch")

    settings.DISPATCH_EMERGENCY_HANDOVER = 0  # the new one waits behind the queued one
    assert assignment_candidates(ticket=new)[0].on_time is False

    settings.DISPATCH_EMERGENCY_HANDOVER = 2
    first = assignment_candidates(ticket=new)[0]
    assert (first.name, first.on_time, first.diverts, first.hands_over) == (
        "在做",
        True,
        False,
        queued.pk,
    )
    ticket_auto_dispatch(ticket_id=new.pk)

    new.refresh_from_db()
    queued.refresh_from_db()
    assert (new.status, new.technician_id) == (TicketStatus.ASSIGNED, worker.pk)
    assert (queued.status, queued.technician_id) == (TicketStatus.DISPATCHING, None)
    assert queued.events.get(type=EventType.UNASSIGNED).note.startswith(
        f"师傅改去另一张急修工单 {new.code}"
    )
