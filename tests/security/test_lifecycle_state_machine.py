"""A Hypothesis state machine over the ticket lifecycle and its assignments.

Random actors (every staff role, two technicians of different outlets, the
system) try random actions with random reasons and technicians through
``ticket_transition``, on fresh reads and on stale copies of the ticket (two
desks that read the same version and both act: concurrent assignment,
accept against unassign, ...). After every step:

- the status moved only along ``ALLOWED_TRANSITIONS`` (and ``resume`` back to
  the status held from); each change wrote exactly one event whose from/to
  match, and the version went up by exactly one;
- a refused attempt raised a DomainError and changed nothing (status,
  version, technician, events);
- whether an attempt succeeds is predicted independently from the action
  table (source status, role, own job, reason, active technician);
- at most one technician holds the ticket: the one of the last assignment not
  since released (decline, unassign, reopen); a ticket in assigned …
  in_progress (or held from there) has one, a ticket waiting for dispatch has
  none.

Profiles: ``make test`` runs 50 examples × 50 steps (about 25 s of CPU; the
ORM dominates). ``make test-lifecycle`` runs the full 200 × 50 (about 100 s
of CPU); ``BAOXIU_LIFECYCLE_EXAMPLES`` / ``BAOXIU_LIFECYCLE_STEPS`` set any
other size.
Each example runs inside a savepoint rolled back afterwards, so examples are
independent and cheap; the staff and technicians are created once.

Extending it as features land (quotes, lock opening):
- a new action in ``ACTIONS`` is tried automatically (``act`` samples the
  table); a guard an app registers with ``transition_guard`` may refuse an
  action the table allows — the machine accepts that refusal only when the
  action has guards, and still requires that nothing changed;
- add one function to ``INVARIANTS`` (``fn(machine, ticket)``, raise
  AssertionError) for each new rule. The ones to come, with the rule each
  needs: "approved total is the ceiling" (a rule that creates/approves/changes
  a quote; invariant: the billed total never exceeds the approved total),
  "no work before approval" (invariant: no ``work_started`` event precedes
  the first quote approval for tickets that need one), "lock-opening gate"
  (a rule that fills the register partly or fully; invariant: no
  ``work_started`` on a lock-opening ticket whose register is incomplete).
  Their fixtures go in ``Lifecycle.__init__``; their rules are ``@rule``
  methods beside ``act``.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from baoxiu.accounts.choices import Role
from baoxiu.core.errors import ConcurrentUpdate, DomainError
from baoxiu.tickets.choices import EventType
from baoxiu.tickets.choices import TicketStatus as S
from baoxiu.tickets.models import Ticket, TicketEvent
from baoxiu.tickets.transitions import _GUARDS, ACTIONS, ALLOWED_TRANSITIONS, ticket_transition
from tests.factories import (
    FaultTypeFactory,
    OutletFactory,
    TechnicianFactory,
    UserFactory,
    make_ticket,
)

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("BAOXIU_LIFECYCLE_EXAMPLES", "50"))
STEPS = int(os.environ.get("BAOXIU_LIFECYCLE_STEPS", "50"))

WITH_TECHNICIAN = {S.ASSIGNED, S.ACCEPTED, S.EN_ROUTE, S.ON_SITE, S.IN_PROGRESS}
WITHOUT_TECHNICIAN = {S.NEW, S.DISPATCHING}
STATUS_EVENT_TYPES = {action.event for action in ACTIONS.values()}
RELEASE_EVENTS = {EventType.DECLINED, EventType.UNASSIGNED, EventType.REOPENED}
NOTES = ["", "   ", "客户改约时间", "x" * 500, "x" * 501, "<b>理由</b>"]

REACHED: Counter = Counter()

# fn(machine, ticket) → None; raise AssertionError when a rule is broken.
INVARIANTS: list[Callable] = []


@pytest.fixture
def cast(db):
    """The people who act: every desk role, two technicians of two outlets, one off duty."""
    people = {
        role: UserFactory(username=f"sm-{role}", role=role)
        for role in (Role.AGENT, Role.DISPATCHER, Role.OUTLET_MANAGER, Role.OPERATIONS)
    }
    people["admin"] = UserFactory(username="sm-admin", role=Role.ADMIN)
    people["second_dispatcher"] = UserFactory(username="sm-dispatcher-2", role=Role.DISPATCHER)
    techs = [
        TechnicianFactory(user__username="sm-tech-a", outlet=OutletFactory()),
        TechnicianFactory(user__username="sm-tech-b", outlet=OutletFactory()),
    ]
    off_duty = TechnicianFactory(user__username="sm-tech-off", active=False)
    return {
        "people": people,
        "technicians": techs,
        "off_duty": off_duty,
        "fault_type": FaultTypeFactory(code="sm-fault"),
    }


def _row(ticket_id: int) -> tuple:
    return tuple(
        Ticket.objects.filter(pk=ticket_id).values_list(
            "status", "version", "technician_id", "status_before_hold"
        )[0]
    )


def _permitted(actor, ticket: Ticket, name: str) -> bool:
    """Who may do what, read from the action table (not from can_perform)."""
    action = ACTIONS[name]
    if actor is None:
        return True
    if not actor.is_active or (actor.role not in action.roles and not actor.is_superuser):
        return False
    if actor.role == Role.TECHNICIAN and not actor.is_superuser:
        own = getattr(actor, "technician", None)
        return action.own_job and own is not None and ticket.technician_id == own.pk
    return True


def _expected_to_succeed(actor, ticket: Ticket, name: str, note: str, technician) -> bool:
    action = ACTIONS[name]
    if ticket.status not in action.sources or not _permitted(actor, ticket, name):
        return False
    if action.needs_reason and not note.strip():
        return False
    if len(note.strip()) > 500:
        return False
    if name == "assign" and (technician is None or not technician.active):
        return False
    return True


class Lifecycle(RuleBasedStateMachine):
    cast: dict = {}

    def __init__(self):
        super().__init__()
        self._savepoint = transaction.savepoint()
        self.actors = [None, *self.cast["people"].values()]
        self.actors += [tech.user for tech in self.cast["technicians"]]
        self.assignable = [*self.cast["technicians"], self.cast["off_duty"], None]
        self.ticket = make_ticket(fault_type=self.cast["fault_type"])
        self.statuses = [S.NEW]
        self.version = self.ticket.version
        self.snapshots: list[Ticket] = []

    def teardown(self):
        transaction.savepoint_rollback(self._savepoint)

    # ---- rules ---------------------------------------------------------------

    @rule(
        name=st.sampled_from(sorted(ACTIONS)),
        actor_index=st.integers(min_value=0, max_value=20),
        note=st.sampled_from(NOTES),
        tech_index=st.integers(min_value=0, max_value=3),
    )
    def act(self, name, actor_index, note, tech_index):
        ticket = Ticket.objects.get(pk=self.ticket.pk)
        # Indices past the cast stand for the ticket's own technician, so that
        # technicians often act on their own job (and the deep statuses are reached).
        actor = self._actor(actor_index, ticket)
        self._attempt(ticket, name, actor, note, self.assignable[tech_index])

    @rule(data=st.data(), note=st.sampled_from(NOTES[2:4]))
    def act_as_the_job_needs(self, data, note):
        """An action the current status allows, by someone whose role may take it:
        what moves a ticket along, so that the deep statuses are reached."""
        ticket = Ticket.objects.get(pk=self.ticket.pk)
        # Cancelling ends the story; the random ``act`` rule tries it often enough.
        open_actions = sorted(
            n for n, a in ACTIONS.items() if ticket.status in a.sources and n != "cancel"
        )
        if not open_actions:
            return
        name = data.draw(st.sampled_from(open_actions), label="action")
        roles = ACTIONS[name].roles
        candidates = [a for a in self.actors if a is not None and a.role in roles]
        if ticket.technician_id and Role.TECHNICIAN in roles:
            candidates.append(ticket.technician.user)
        actor = data.draw(st.sampled_from(candidates or [None]), label="actor")
        technician = data.draw(st.sampled_from(self.cast["technicians"]), label="technician")
        self._attempt(ticket, name, actor, note, technician)

    @rule()
    def remember_a_stale_copy(self):
        self.snapshots = [*self.snapshots[-2:], Ticket.objects.get(pk=self.ticket.pk)]

    @precondition(lambda self: self.snapshots)
    @rule(
        name=st.sampled_from(sorted(ACTIONS)),
        actor_index=st.integers(min_value=0, max_value=20),
        tech_index=st.integers(min_value=0, max_value=1),
        pick=st.integers(min_value=0, max_value=2),
    )
    def act_on_a_stale_copy(self, name, actor_index, tech_index, pick):
        """A desk acts on what it read a while ago; if anything changed since, it must lose."""
        stale = self.snapshots[pick % len(self.snapshots)]
        actor = self._actor(actor_index, stale)
        self._attempt(stale, name, actor, "稍后处理", self.assignable[tech_index])

    @rule(first=st.integers(min_value=0, max_value=1), second=st.integers(min_value=0, max_value=1))
    def two_dispatchers_assign_at_once(self, first, second):
        """Both read the same version, both assign: at most one wins, the other changes nothing."""
        seen_by_one = Ticket.objects.get(pk=self.ticket.pk)
        seen_by_other = Ticket.objects.get(pk=self.ticket.pk)
        people = self.cast["people"]
        techs = self.cast["technicians"]
        won_first = self._attempt(seen_by_one, "assign", people[Role.DISPATCHER], "", techs[first])
        won_second = self._attempt(
            seen_by_other, "assign", people["second_dispatcher"], "", techs[second]
        )
        assert not (won_first and won_second)
        if won_first:
            assert _row(self.ticket.pk)[2] == techs[first].pk

    # ---- one attempt, judged ---------------------------------------------------

    def _actor(self, index: int, ticket: Ticket):
        if index >= len(self.actors) and ticket.technician_id:
            return ticket.technician.user
        return self.actors[index % len(self.actors)]

    def _attempt(self, seen: Ticket, name: str, actor, note: str, technician) -> bool:
        before = _row(self.ticket.pk)
        fresh = seen.version == before[1]
        expected = fresh and _expected_to_succeed(actor, seen, name, note, technician)
        try:
            ticket_transition(
                ticket=seen, action=name, actor=actor, note=note, technician=technician
            )
        except DomainError as exc:
            assert not expected or name in _GUARDS, (name, actor, seen.status, exc)
            if not fresh and _expected_to_succeed(actor, seen, name, note, technician):
                assert isinstance(exc, ConcurrentUpdate), exc
            # (An event written anyway would break the replay checked after each step.)
            assert _row(self.ticket.pk) == before, "a refused action changed the ticket"
            return False
        assert expected, f"{name} by {actor} from {seen.status} (v{seen.version}) succeeded"
        after = _row(self.ticket.pk)
        target = ACTIONS[name].target or before[3]
        assert after[0] == target
        assert target in ALLOWED_TRANSITIONS[before[0]], (before[0], target)
        assert after[1] == before[1] + 1
        new_events = list(
            TicketEvent.objects.filter(ticket=self.ticket, type__in=STATUS_EVENT_TYPES).order_by(
                "-id"
            )[:1]
        )
        assert (new_events[0].from_status, new_events[0].to_status) == (before[0], target)
        assert new_events[0].type == ACTIONS[name].event
        self.statuses.append(target)
        REACHED[target] += 1
        self.version = after[1]
        return True

    # ---- invariants ------------------------------------------------------------

    @invariant()
    def lifecycle_invariants_hold(self):
        # One read of the ticket and its timeline per step, every rule checked on it.
        ticket = Ticket.objects.select_related("technician").get(pk=self.ticket.pk)
        events = list(
            TicketEvent.objects.filter(ticket=ticket)
            .order_by("id")
            .values_list("type", "from_status", "to_status", "data")
        )
        self._status_history_follows_the_map()
        self._events_replay_to_the_current_status_and_version(ticket, events)
        self._at_most_one_technician_and_the_right_one(ticket, events)
        for check in INVARIANTS:
            check(self, ticket)

    def _status_history_follows_the_map(self):
        for previous, current in zip(self.statuses, self.statuses[1:], strict=False):
            assert current in ALLOWED_TRANSITIONS[previous], (previous, current)

    def _events_replay_to_the_current_status_and_version(self, ticket, events):
        changes = [e for e in events if e[0] in STATUS_EVENT_TYPES]
        walked = [S.NEW] + [to for _type, _from, to, _data in changes]
        assert walked == self.statuses
        for (_type, from_status, _to, _data), status in zip(changes, walked, strict=False):
            assert from_status == status
        assert ticket.status == self.statuses[-1]
        # Version 1 at creation, one more per change, never anything else.
        assert ticket.version == 1 + len(changes) == self.version

    def _at_most_one_technician_and_the_right_one(self, ticket, events):
        holder = None
        for type_, _from, _to, data in events:
            if type_ == EventType.ASSIGNED:
                assert holder is None, "assigned while another technician held the job"
                holder = data["technician_id"]
            elif type_ in RELEASE_EVENTS:
                holder = None
        assert ticket.technician_id == holder
        effective = ticket.status_before_hold if ticket.status == S.ON_HOLD else ticket.status
        if effective in WITH_TECHNICIAN:
            assert ticket.technician_id is not None, ticket.status
        if effective in WITHOUT_TECHNICIAN:
            assert ticket.technician_id is None, ticket.status


def test_ticket_lifecycle_invariants_hold(cast):
    Lifecycle.cast = cast
    REACHED.clear()
    run_state_machine_as_test(
        Lifecycle,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    # The machine really walked the lifecycle, not only its first steps.
    deep = {S.ASSIGNED, S.ACCEPTED, S.EN_ROUTE, S.ON_SITE, S.ON_HOLD, S.DISPATCHING, S.CANCELLED}
    assert deep <= set(REACHED), REACHED
