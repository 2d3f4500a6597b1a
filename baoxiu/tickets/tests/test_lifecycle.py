"""Every allowed transition works; every other one is refused and changes nothing."""

import pytest

from baoxiu.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from baoxiu.evidence.services import completion_confirm_by_customer
from baoxiu.tickets.choices import NOTE_EVENTS, EventType, TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ACTIONS, ALLOWED_TRANSITIONS, ticket_transition
from tests.factories import UserFactory, approve_quote, make_ticket

pytestmark = pytest.mark.django_db

HELD_FROM = TicketStatus.EN_ROUTE
NEEDS_TECHNICIAN = {
    TicketStatus.ASSIGNED,
    TicketStatus.ACCEPTED,
    TicketStatus.EN_ROUTE,
    TicketStatus.ON_SITE,
    TicketStatus.IN_PROGRESS,
    TicketStatus.COMPLETED,
    TicketStatus.CLOSED,
    TicketStatus.ON_HOLD,
}


def ticket_in(status, fault_type, technician):
    """Arrange: a ticket already in ``status`` (set directly; this is test setup only)."""
    ticket = make_ticket(fault_type=fault_type)
    Ticket.objects.filter(pk=ticket.pk).update(
        status=status,
        technician=technician if status in NEEDS_TECHNICIAN else None,
        status_before_hold=HELD_FROM if status == TicketStatus.ON_HOLD else "",
    )
    ticket.refresh_from_db()
    return ticket


def snapshot(ticket):
    row = Ticket.objects.values("status", "version", "technician_id", "status_before_hold").get(
        pk=ticket.pk
    )
    return row, ticket.events.count()


CASES = [(status, name) for status in TicketStatus.values for name in ACTIONS]


@pytest.mark.parametrize(("status", "action"), CASES)
def test_action_from_every_status(status, action, fault_type, technician):
    admin = UserFactory(username="root", role="admin", is_superuser=True)
    ticket = ticket_in(status, fault_type, technician)
    spec = ACTIONS[action]
    kwargs = {"note": "测试原因"} if spec.needs_reason else {}
    if action == "assign":
        kwargs["technician"] = technician

    if status not in spec.sources:
        before = snapshot(ticket)
        with pytest.raises(IllegalTransition):
            ticket_transition(ticket=ticket, action=action, actor=admin, **kwargs)
        assert snapshot(ticket) == before
        return

    if action in ("start_work", "complete"):
        approve_quote(ticket)  # work starts and ends only on an approved quote
    version = ticket.version
    ticket_transition(ticket=ticket, action=action, actor=admin, **kwargs)
    ticket.refresh_from_db()
    expected = HELD_FROM if action == "resume" else spec.target
    assert ticket.status == expected
    assert ticket.version == version + 1
    # The status change's event (a follower may add an internal note after it).
    event = ticket.events.exclude(type__in=NOTE_EVENTS).latest("id")
    assert (event.type, event.from_status, event.to_status, event.actor_id) == (
        spec.event,
        status,
        expected,
        admin.pk,
    )
    if action in {"decline", "unassign", "reopen"}:
        assert ticket.technician_id is None
    if action == "assign":
        assert ticket.technician_id == technician.pk
    if action == "hold":
        assert ticket.status_before_hold == status


def test_map_and_actions_agree():
    pairs_from_actions = {
        (source, spec.target or HELD_FROM) for spec in ACTIONS.values() for source in spec.sources
    }
    for source, target in pairs_from_actions:
        if source == TicketStatus.ON_HOLD and target == HELD_FROM:
            continue  # resume goes back to whatever the ticket was held from
        assert target in ALLOWED_TRANSITIONS[source], (source, target)
    resumable = {(TicketStatus.ON_HOLD, t) for t in ALLOWED_TRANSITIONS[TicketStatus.ON_HOLD]}
    for source, targets in ALLOWED_TRANSITIONS.items():
        for target in targets:
            assert (source, target) in pairs_from_actions | resumable, (source, target)
    assert ALLOWED_TRANSITIONS[TicketStatus.CANCELLED] == frozenset()


def test_happy_path_timeline(fault_type, technician, dispatcher):
    ticket = make_ticket(fault_type=fault_type)
    ticket_transition(ticket=ticket, action="dispatch")
    ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)
    for action in ["accept", "depart", "arrive", "start_work"]:
        if action == "start_work":
            approve_quote(ticket)  # work starts only on an approved quote (baoxiu.quotes)
        ticket_transition(ticket=ticket, action=action, actor=technician.user)
    completion_confirm_by_customer(ticket=ticket)  # without it, closing waits for a review
    ticket_transition(ticket=ticket, action="complete", actor=technician.user)
    ticket_transition(ticket=ticket, action="close", actor=dispatcher)
    assert list(ticket.events.values_list("type", flat=True)) == [
        EventType.CREATED,
        EventType.DISPATCHING,
        EventType.ASSIGNED,
        EventType.ACCEPTED,
        EventType.EN_ROUTE,
        EventType.ON_SITE,
        EventType.QUOTE_SUBMITTED,
        EventType.QUOTE_APPROVED,
        EventType.WORK_STARTED,
        EventType.CUSTOMER_CONFIRMED,
        EventType.COMPLETED,
        EventType.CLOSED,
    ]
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.version == 9
    assert all([ticket.assigned_at, ticket.accepted_at, ticket.arrived_at, ticket.completed_at])


def test_technician_cannot_act_on_someone_elses_job(fault_type, technician, other_technician):
    ticket = ticket_in(TicketStatus.ASSIGNED, fault_type, technician)
    before = snapshot(ticket)
    with pytest.raises(PermissionDenied):
        ticket_transition(ticket=ticket, action="accept", actor=other_technician.user)
    assert snapshot(ticket) == before


def test_agent_cannot_assign(fault_type, technician, agent):
    ticket = ticket_in(TicketStatus.DISPATCHING, fault_type, None)
    before = snapshot(ticket)
    with pytest.raises(PermissionDenied):
        ticket_transition(ticket=ticket, action="assign", actor=agent, technician=technician)
    assert snapshot(ticket) == before


def test_reason_required(fault_type, dispatcher):
    ticket = ticket_in(TicketStatus.DISPATCHING, fault_type, None)
    before = snapshot(ticket)
    with pytest.raises(ValidationFailed) as caught:
        ticket_transition(ticket=ticket, action="cancel", actor=dispatcher, note="  ")
    assert caught.value.code == "reason_required"
    assert snapshot(ticket) == before


def test_assign_requires_active_technician(fault_type, technician, dispatcher):
    technician.active = False
    technician.save(update_fields=["active"])
    ticket = ticket_in(TicketStatus.DISPATCHING, fault_type, None)
    before = snapshot(ticket)
    with pytest.raises(ValidationFailed):
        ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)
    assert snapshot(ticket) == before


def test_guard_refuses_and_nothing_is_written(fault_type, technician, monkeypatch):
    from baoxiu.tickets import transitions

    ticket = ticket_in(TicketStatus.ON_SITE, fault_type, technician)
    before = snapshot(ticket)
    seen = []

    def no_work_yet(*, ticket, actor, note):
        seen.append(ticket.pk)
        raise ValidationFailed("not yet", code="gate_closed")

    monkeypatch.setitem(transitions._GUARDS, "start_work", [no_work_yet])
    with pytest.raises(ValidationFailed) as err:
        ticket_transition(ticket=ticket, action="start_work", actor=technician.user)
    assert err.value.code == "gate_closed"
    assert seen == [ticket.pk]
    assert snapshot(ticket) == before
    assert not ticket.events.filter(type=EventType.WORK_STARTED).exists()


def test_follower_sees_each_event(fault_type, technician, monkeypatch):
    from baoxiu.tickets import transitions

    ticket = ticket_in(TicketStatus.ON_SITE, fault_type, technician)
    seen = []
    monkeypatch.setattr(
        transitions,
        "_FOLLOWERS",
        [lambda *, ticket, event: seen.append((ticket.status, event.type))],
    )
    approve_quote(ticket)
    ticket_transition(ticket=ticket, action="start_work", actor=technician.user)
    assert seen == [(TicketStatus.IN_PROGRESS, EventType.WORK_STARTED)]


def test_guard_registration_rejects_unknown_action():
    from baoxiu.tickets.transitions import transition_guard

    with pytest.raises(KeyError):
        transition_guard("no_such_action")(lambda **kw: None)
