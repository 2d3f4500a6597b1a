"""SLA clocks: started with the ticket, met by the right steps, raised exactly once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from baoxiu.areas.models import Division
from baoxiu.catalog.choices import Priority
from baoxiu.dispatch.choices import AlertKind, ClockKind, ClockState
from baoxiu.dispatch.models import DispatchAlert, SlaClock, SlaPolicy
from baoxiu.dispatch.selectors import alerts_open, sla_deadlines, sla_policy_for
from baoxiu.dispatch.services import (
    SlaTickResult,
    dispatch_alert_acknowledge,
    sla_clocks_start,
    sla_tick,
)
from baoxiu.tickets.choices import EventType
from baoxiu.tickets.models import TicketEvent
from baoxiu.tickets.services import TicketRequest, ticket_create, ticket_event_record
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import FaultTypeFactory, approve_quote

M = timedelta(minutes=1)
SLA_EVENTS = (EventType.SLA_WARNING, EventType.SLA_BREACHED)


def new_ticket(priority=Priority.EMERGENCY, division_code="440305", phone="13800138000"):
    """A ticket created through the real service at an address in ``division_code``."""
    fault = FaultTypeFactory(code=f"fault-{priority}", priority=priority)
    request = TicketRequest(
        name="王小明",
        phone=phone,
        address_text="幸福路1号",
        fault_type=fault,
        division_code=division_code,
    )
    ticket, _created = ticket_create(request=request)
    return ticket


def clocks(ticket):
    """(kind, state, minutes allowed, minutes to the warning) of every clock, oldest first."""
    return [
        (
            c.kind,
            c.state,
            (c.due_at - c.started_at) / M,
            (c.warn_at - c.started_at) / M,
        )
        for c in SlaClock.objects.filter(ticket=ticket).order_by("id")
    ]


def states(ticket):
    return [(c.kind, c.state) for c in SlaClock.objects.filter(ticket=ticket).order_by("id")]


def start_of(ticket):
    return SlaClock.objects.filter(ticket=ticket).order_by("id").first().started_at


def sla_events(ticket):
    return list(
        TicketEvent.objects.filter(ticket=ticket, type__in=SLA_EVENTS)
        .order_by("id")
        .values_list("type", "data__kind")
    )


def shift_back(ticket, delta):
    """Arrange: the ticket's clocks as if it had been created ``delta`` earlier."""
    for clock in SlaClock.objects.filter(ticket=ticket):
        for field in ("started_at", "warn_at", "due_at", "warned_at", "breached_at"):
            if getattr(clock, field) is not None:
                setattr(clock, field, getattr(clock, field) - delta)
        clock.save()


# ---- starting ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("priority", "dispatch", "arrive", "complete"),
    [
        (Priority.EMERGENCY, 5, 30, 120),
        (Priority.URGENT, 30, 240, 480),
        (Priority.NORMAL, 120, 1440, 2880),
    ],
)
def test_new_ticket_starts_its_clocks_from_the_default_policy(priority, dispatch, arrive, complete):
    ticket = new_ticket(priority)

    assert clocks(ticket) == [
        (ClockKind.DISPATCH, ClockState.RUNNING, dispatch, dispatch * 0.8),
        (ClockKind.ARRIVE, ClockState.RUNNING, arrive, arrive * 0.8),
        (ClockKind.COMPLETE, ClockState.RUNNING, complete, complete * 0.8),
    ]
    assert {c.started_at for c in SlaClock.objects.filter(ticket=ticket)} == {ticket.created_at}
    default = SlaPolicy.objects.get(priority=priority, division=None)
    assert set(SlaClock.objects.filter(ticket=ticket).values_list("policy", flat=True)) == {
        default.pk
    }


@pytest.mark.django_db
def test_the_data_migration_writes_the_documented_defaults():
    rows = SlaPolicy.objects.filter(division=None).values_list(
        "priority",
        "dispatch_minutes",
        "accept_minutes",
        "arrive_minutes",
        "complete_minutes",
        "warn_fraction",
    )
    assert sorted((p, d, a, r, c, str(w)) for p, d, a, r, c, w in rows) == [
        ("emergency", 5, 5, 30, 120, "0.80"),
        ("normal", 120, 240, 1440, 2880, "0.80"),
        ("urgent", 30, 30, 240, 480, "0.80"),
    ]


@pytest.mark.django_db
def test_the_most_specific_division_policy_wins():
    def policy(code, arrive):
        return SlaPolicy.objects.create(
            priority=Priority.EMERGENCY,
            division=Division.objects.get(code=code),
            dispatch_minutes=3,
            accept_minutes=3,
            arrive_minutes=arrive,
            complete_minutes=90,
            warn_fraction="0.50",
        )

    shenzhen = policy("440300", arrive=25)  # 深圳市
    nanshan = policy("440305", arrive=20)  # 深圳市南山区

    in_nanshan = new_ticket(division_code="440305")
    in_futian = new_ticket(division_code="440304", phone="13800138001")
    in_guangzhou = new_ticket(division_code="440106", phone="13800138002")

    assert [c[2:] for c in clocks(in_nanshan)] == [(3, 1.5), (20, 10), (90, 45)]
    assert [c[2:] for c in clocks(in_futian)] == [(3, 1.5), (25, 12.5), (90, 45)]
    assert [c[2:] for c in clocks(in_guangzhou)] == [(5, 4), (30, 24), (120, 96)]
    assert sla_policy_for(priority=Priority.EMERGENCY, division_code="440305") == nanshan
    assert sla_policy_for(priority=Priority.EMERGENCY, division_code="440304") == shenzhen
    # Another priority in the same division falls back to its own default.
    assert sla_policy_for(priority=Priority.NORMAL, division_code="440305").division is None


@pytest.mark.django_db
def test_built_in_defaults_apply_when_no_policy_row_exists():
    SlaPolicy.objects.all().delete()
    ticket = new_ticket(Priority.URGENT)
    assert [c[2] for c in clocks(ticket)] == [30, 240, 480]
    assert set(SlaClock.objects.filter(ticket=ticket).values_list("policy", flat=True)) == {None}


@pytest.mark.django_db
def test_starting_twice_adds_nothing():
    ticket = new_ticket()
    assert sla_clocks_start(ticket=ticket, now=ticket.created_at) == []
    assert SlaClock.objects.filter(ticket=ticket).count() == 3


# ---- following the ticket ------------------------------------------------------------


@pytest.mark.django_db
def test_each_step_meets_its_clock(dispatcher, technician):
    ticket = new_ticket()
    tech = technician.user

    ticket = ticket_transition(ticket=ticket, action="dispatch")
    assert states(ticket) == [
        (ClockKind.DISPATCH, ClockState.RUNNING),
        (ClockKind.ARRIVE, ClockState.RUNNING),
        (ClockKind.COMPLETE, ClockState.RUNNING),
    ]
    ticket = ticket_transition(
        ticket=ticket, action="assign", actor=dispatcher, technician=technician
    )
    assert states(ticket) == [
        (ClockKind.DISPATCH, ClockState.MET),
        (ClockKind.ARRIVE, ClockState.RUNNING),
        (ClockKind.COMPLETE, ClockState.RUNNING),
        (ClockKind.ACCEPT, ClockState.RUNNING),
    ]
    accept = SlaClock.objects.get(ticket=ticket, kind=ClockKind.ACCEPT)
    assert (accept.started_at, accept.due_at - accept.started_at) == (ticket.assigned_at, 5 * M)

    ticket = ticket_transition(ticket=ticket, action="accept", actor=tech)
    ticket = ticket_transition(ticket=ticket, action="depart", actor=tech)
    assert [s for _k, s in states(ticket)] == [
        ClockState.MET,
        ClockState.RUNNING,
        ClockState.RUNNING,
        ClockState.MET,
    ]
    ticket = ticket_transition(ticket=ticket, action="arrive", actor=tech)
    approve_quote(ticket)  # work starts only on an approved quote (baoxiu.quotes)
    ticket = ticket_transition(ticket=ticket, action="start_work", actor=tech)
    assert SlaClock.objects.get(ticket=ticket, kind=ClockKind.ARRIVE).state == ClockState.MET
    ticket = ticket_transition(ticket=ticket, action="complete", actor=tech)

    assert states(ticket) == [
        (ClockKind.DISPATCH, ClockState.MET),
        (ClockKind.ARRIVE, ClockState.MET),
        (ClockKind.COMPLETE, ClockState.MET),
        (ClockKind.ACCEPT, ClockState.MET),
    ]
    met = dict(SlaClock.objects.filter(ticket=ticket).values_list("kind", "met_at"))
    assert met == {
        ClockKind.DISPATCH: ticket.assigned_at,
        ClockKind.ACCEPT: ticket.accepted_at,
        ClockKind.ARRIVE: ticket.arrived_at,
        ClockKind.COMPLETE: ticket.completed_at,
    }
    # Nothing left to raise, however late it gets.
    assert sla_tick(now=ticket.completed_at + timedelta(days=3)) == SlaTickResult(0, 0)


@pytest.mark.django_db
def test_a_step_done_after_its_deadline_ends_breached(dispatcher, technician):
    ticket = new_ticket()
    shift_back(ticket, 6 * M)  # created six minutes ago; dispatch was due after five

    ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)

    dispatch = SlaClock.objects.get(ticket=ticket, kind=ClockKind.DISPATCH)
    assert dispatch.state == ClockState.BREACHED
    assert dispatch.met_at is not None and dispatch.breached_at is None  # never raised


@pytest.mark.django_db
def test_decline_cancels_the_accept_clock_and_keeps_the_original_dispatch_deadline(
    dispatcher, technician, other_technician
):
    ticket = new_ticket()
    original = SlaClock.objects.get(ticket=ticket, kind=ClockKind.DISPATCH)
    ticket = ticket_transition(
        ticket=ticket, action="assign", actor=dispatcher, technician=technician
    )
    ticket = ticket_transition(ticket=ticket, action="decline", actor=technician.user, note="太远")

    assert states(ticket) == [
        (ClockKind.DISPATCH, ClockState.MET),
        (ClockKind.ARRIVE, ClockState.RUNNING),
        (ClockKind.COMPLETE, ClockState.RUNNING),
        (ClockKind.ACCEPT, ClockState.CANCELLED),
        (ClockKind.DISPATCH, ClockState.RUNNING),
    ]
    again = SlaClock.objects.filter(ticket=ticket, kind=ClockKind.DISPATCH).latest("id")
    assert (again.started_at, again.warn_at, again.due_at) == (
        original.started_at,
        original.warn_at,
        original.due_at,
    )

    ticket = ticket_transition(
        ticket=ticket, action="assign", actor=dispatcher, technician=other_technician
    )
    accepts = SlaClock.objects.filter(ticket=ticket, kind=ClockKind.ACCEPT).order_by("id")
    assert [c.state for c in accepts] == [ClockState.CANCELLED, ClockState.RUNNING]
    assert accepts[1].started_at == ticket.assigned_at  # a full window for the new technician
    assert [(c.kind, c.state) for c in sla_deadlines(ticket)] == [
        (ClockKind.DISPATCH, ClockState.MET),
        (ClockKind.ACCEPT, ClockState.RUNNING),
        (ClockKind.ARRIVE, ClockState.RUNNING),
        (ClockKind.COMPLETE, ClockState.RUNNING),
    ]


@pytest.mark.django_db
def test_unassign_after_acceptance_restarts_dispatch_only(dispatcher, technician):
    ticket = new_ticket()
    ticket = ticket_transition(
        ticket=ticket, action="assign", actor=dispatcher, technician=technician
    )
    ticket = ticket_transition(ticket=ticket, action="accept", actor=technician.user)
    ticket_transition(ticket=ticket, action="unassign", actor=dispatcher, note="改派")

    assert states(ticket) == [
        (ClockKind.DISPATCH, ClockState.MET),
        (ClockKind.ARRIVE, ClockState.RUNNING),
        (ClockKind.COMPLETE, ClockState.RUNNING),
        (ClockKind.ACCEPT, ClockState.MET),
        (ClockKind.DISPATCH, ClockState.RUNNING),
    ]


@pytest.mark.django_db
def test_cancelled_ticket_clocks_never_fire(dispatcher):
    ticket = new_ticket()
    start = start_of(ticket)
    ticket_transition(ticket=ticket, action="cancel", actor=dispatcher, note="客户已自行开锁")

    assert {s for _k, s in states(ticket)} == {ClockState.CANCELLED}
    assert sla_tick(now=start + timedelta(days=2)) == SlaTickResult(0, 0)
    assert sla_events(ticket) == []
    assert DispatchAlert.objects.count() == 0


@pytest.mark.django_db
def test_cancelling_an_overdue_ticket_keeps_its_breach_and_hides_its_alerts(dispatcher):
    ticket = new_ticket()
    sla_tick(now=start_of(ticket) + 6 * M)
    assert [a.kind for a in alerts_open()] == [AlertKind.SLA_BREACHED]

    ticket_transition(ticket=ticket, action="cancel", actor=dispatcher, note="客户取消")

    dispatch = SlaClock.objects.get(ticket=ticket, kind=ClockKind.DISPATCH)
    assert dispatch.state == ClockState.CANCELLED and dispatch.breached_at is not None
    assert list(alerts_open()) == []


# ---- ticking -------------------------------------------------------------------------


@pytest.mark.django_db
def test_warning_then_breach_each_raised_once():
    ticket = new_ticket()
    start = start_of(ticket)

    assert sla_tick(now=start + 3 * M) == SlaTickResult(0, 0)
    assert sla_tick(now=start + 4 * M) == SlaTickResult(warned=1, breached=0)
    assert sla_tick(now=start + 4 * M + timedelta(seconds=30)) == SlaTickResult(0, 0)
    assert sla_tick(now=start + 5 * M) == SlaTickResult(warned=0, breached=1)
    assert sla_tick(now=start + 5 * M) == SlaTickResult(0, 0)

    assert sla_events(ticket) == [
        (EventType.SLA_WARNING, ClockKind.DISPATCH),
        (EventType.SLA_BREACHED, ClockKind.DISPATCH),
    ]
    dispatch = SlaClock.objects.get(ticket=ticket, kind=ClockKind.DISPATCH)
    assert (dispatch.state, dispatch.warned_at, dispatch.breached_at, dispatch.met_at) == (
        ClockState.BREACHED,
        start + 4 * M,
        start + 5 * M,
        None,
    )
    warning, breach = TicketEvent.objects.filter(ticket=ticket, type__in=SLA_EVENTS).order_by("id")
    due = timezone.localtime(dispatch.due_at).strftime("%m-%d %H:%M")
    assert (warning.note, breach.note) == (f"派单时限将于 {due} 到期", f"派单已超时（时限 {due}）")
    assert (warning.from_status, warning.to_status, warning.actor_label) == ("", "", "系统")
    assert (warning.created_at, breach.created_at) == (start + 4 * M, start + 5 * M)
    assert list(alerts_open().values_list("kind", "message")) == [
        (AlertKind.SLA_BREACHED, breach.note),
        (AlertKind.SLA_WARNING, warning.note),
    ]


@pytest.mark.django_db
def test_a_clock_first_seen_overdue_gets_the_breach_only():
    ticket = new_ticket()
    result = sla_tick(now=start_of(ticket) + 31 * M)
    assert result == SlaTickResult(warned=0, breached=2)
    assert sla_events(ticket) == [
        (EventType.SLA_BREACHED, ClockKind.DISPATCH),
        (EventType.SLA_BREACHED, ClockKind.ARRIVE),
    ]


@pytest.mark.django_db
def test_the_step_done_after_a_breach_keeps_it_breached(dispatcher, technician):
    ticket = new_ticket()
    shift_back(ticket, 6 * M)
    sla_tick(now=start_of(ticket) + 6 * M)

    ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)

    ticket.refresh_from_db()
    dispatch = SlaClock.objects.get(ticket=ticket, kind=ClockKind.DISPATCH)
    assert (dispatch.state, dispatch.met_at) == (ClockState.BREACHED, ticket.assigned_at)


@pytest.mark.django_db(transaction=True)
def test_concurrent_ticks_raise_each_warning_and_breach_once():
    ticket = new_ticket()
    start = start_of(ticket)
    barrier = threading.Barrier(4)
    results: list[SlaTickResult] = []
    errors: list[BaseException] = []

    def worker(now):
        try:
            barrier.wait()
            results.append(sla_tick(now=now))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    # Dispatch and arrive overdue, complete past its warning point (96 minutes).
    now = start + 100 * M
    threads = [threading.Thread(target=worker, args=(now,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert sum(r.breached for r in results) == 2 and sum(r.warned for r in results) == 1
    assert sorted(sla_events(ticket)) == [
        (EventType.SLA_BREACHED, ClockKind.ARRIVE),
        (EventType.SLA_BREACHED, ClockKind.DISPATCH),
        (EventType.SLA_WARNING, ClockKind.COMPLETE),
    ]
    assert DispatchAlert.objects.count() == 3


# ---- alerts and events ---------------------------------------------------------------


@pytest.mark.django_db
def test_acknowledging_an_alert_takes_it_off_the_board_once(dispatcher, agent):
    ticket = new_ticket()
    sla_tick(now=start_of(ticket) + 4 * M)
    alert = alerts_open().get()

    assert dispatch_alert_acknowledge(alert=alert, user=dispatcher) is True
    assert dispatch_alert_acknowledge(alert=alert, user=agent) is False

    alert.refresh_from_db()
    assert alert.acknowledged_by == dispatcher
    assert list(alerts_open()) == []


@pytest.mark.django_db
def test_status_changes_cannot_be_recorded_as_notes():
    ticket = new_ticket()
    with pytest.raises(ValueError):
        ticket_event_record(ticket=ticket, event_type=EventType.ASSIGNED, note="绕过状态机")
    assert list(ticket.events.values_list("type", flat=True)) == [EventType.CREATED]
