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

Size: ``make test`` runs the full 200 examples × 50 steps (about 50 s; the
ORM dominates); ``make test-lifecycle`` runs this file alone;
``BAOXIU_LIFECYCLE_EXAMPLES`` / ``BAOXIU_LIFECYCLE_STEPS`` set any other size.
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
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from baoxiu.accounts.choices import Role
from baoxiu.accounts.matrix import Scope, roles_for, scope_for
from baoxiu.core.errors import ConcurrentUpdate, DomainError
from baoxiu.evidence.models import CompletionReview
from baoxiu.evidence.services import completion_confirm_by_customer, completion_review_resolve
from baoxiu.lockopening.choices import WitnessKind, WitnessRule
from baoxiu.lockopening.models import LockOpeningPolicy, LockOpeningRecord
from baoxiu.lockopening.selectors import lock_opening_missing
from baoxiu.lockopening.services import REGISTRABLE, lock_opening_record_save
from baoxiu.pricing.calculator import LineRequest
from baoxiu.quotes.choices import DecisionChannel, QuoteStatus
from baoxiu.quotes.models import Payment, Quote
from baoxiu.quotes.services import (
    QUOTABLE,
    PaymentRequest,
    latest_quote,
    payment_record,
    quote_decide,
    quote_submit,
)
from baoxiu.tickets.choices import EventType
from baoxiu.tickets.choices import TicketStatus as S
from baoxiu.tickets.models import Ticket, TicketEvent
from baoxiu.tickets.transitions import _GUARDS, ACTIONS, ALLOWED_TRANSITIONS, ticket_transition
from tests.factories import (
    FaultTypeFactory,
    OutletFactory,
    TechnicianFactory,
    UserFactory,
    image_file,
    make_price_list,
    make_ticket,
)

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("BAOXIU_LIFECYCLE_EXAMPLES", "200"))
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
    fault_type = FaultTypeFactory(code="sm-fault")
    lock_opening = FaultTypeFactory(code="sm-lockout", lock_opening=True)
    make_price_list(fault_types=[fault_type, lock_opening])
    # make_ticket's address is in 深圳市南山区: the register asks for ID, residence and a witness.
    LockOpeningPolicy.objects.create(
        division_prefix="4403", name="深圳市", witness_rule=WitnessRule.EITHER, retention_days=90
    )
    return {
        "people": people,
        "technicians": techs,
        "off_duty": off_duty,
        "fault_type": fault_type,
        "lock_opening": lock_opening,
    }


def _row(ticket_id: int) -> tuple:
    return tuple(
        Ticket.objects.filter(pk=ticket_id).values_list(
            "status", "version", "technician_id", "status_before_hold"
        )[0]
    )


def _permitted(actor, ticket: Ticket, name: str, technician=None) -> bool:
    """Who may do what: the permission matrix's row for the action, with its scope
    worked out here from the ticket (not by can_perform or the scope helpers)."""
    if actor is None:
        return True
    scope = scope_for(actor, f"ticket.transition.{name}")
    if not actor.is_active or scope is None:
        return False
    if scope == Scope.ALL:
        return True
    if scope == Scope.REGION:
        region = (actor.region or "").strip()
        return not region or (ticket.address.area_code or "").startswith(region)
    if scope == Scope.OWN_JOBS:
        own = getattr(actor, "technician", None)
        return own is not None and ticket.technician_id == own.pk
    if scope == Scope.OWN_OUTLET:
        # Assigning: the technician it goes to must be of the manager's outlet.
        holder = technician if name == "assign" else ticket.technician
        return holder is not None and holder.outlet.manager_id == actor.pk
    return False


def _expected_to_succeed(actor, ticket: Ticket, name: str, note: str, technician) -> bool:
    action = ACTIONS[name]
    if ticket.status not in action.sources or not _permitted(actor, ticket, name, technician):
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

    @initialize(lock_opening=st.booleans())
    def which_job(self, lock_opening):
        if lock_opening:
            self.ticket = make_ticket(fault_type=self.cast["lock_opening"])
            self.version = self.ticket.version

    # ---- quotes, payment, the register and the completion review ---------------

    def _own_or_other_technician(self, ticket, own: bool):
        holder = ticket.technician
        if own and holder is not None:
            return holder.user
        others = [t for t in self.cast["technicians"] if t.pk != ticket.technician_id]
        return others[0].user

    def _money_rows(self) -> tuple:
        quotes = Quote.objects.filter(ticket_id=self.ticket.pk).order_by("id")
        return (
            list(quotes.values_list("id", "status", "total", "reason")),
            list(Payment.objects.filter(ticket_id=self.ticket.pk).values_list("id", "amount")),
        )

    # (Each of these rules is enabled only where it can matter, so that the steps go to
    # moving the job along; the services' refusals out of place have their own tests.)
    def _status(self):
        return _row(self.ticket.pk)[0]

    @precondition(lambda self: self._status() in QUOTABLE)
    @rule(
        lines=st.sampled_from(["labour", "labour+part", "labour+free", "free"]),
        reason=st.sampled_from(["", "客户同意加换配件"]),
        own=st.booleans(),
    )
    def technician_quotes(self, lines, reason, own):
        """A quote, or a revision of it (which needs a reason and a new approval)."""
        ticket = Ticket.objects.select_related("technician__user").get(pk=self.ticket.pk)
        actor = self._own_or_other_technician(ticket, own)
        requests = []
        if "labour" in lines:
            requests.append(LineRequest(kind="labour", key=ticket.fault_type.code))
        if "part" in lines:
            requests.append(LineRequest(kind="part", key="FP-01"))
        if "free" in lines:
            requests.append(
                LineRequest(
                    kind="free", name="门框修补", reason="现场发现", unit_price=Decimal("25")
                )
            )
        before = self._money_rows()
        previous = latest_quote(ticket)
        expected = (
            ticket.technician_id is not None
            and actor == ticket.technician.user
            and ticket.status in QUOTABLE
            # A paid quote is final; a reopen sets it aside, and the next visit quotes again.
            and not (
                previous is not None
                and previous.status == QuoteStatus.APPROVED
                and Payment.objects.filter(quote=previous).exists()
            )
            and (previous is None or bool(reason))
        )
        try:
            quote_submit(ticket=ticket, actor=actor, requests=requests, reason=reason)
        except DomainError as exc:
            assert not expected, exc
            assert self._money_rows() == before, "a refused quote changed the quotes"
            return
        assert expected, (ticket.status, lines, reason)

    @precondition(lambda self: Quote.objects.filter(ticket_id=self.ticket.pk).exists())
    @rule(approve=st.sampled_from([True, True, False]))
    def customer_decides(self, approve):
        quote = latest_quote(Ticket.objects.get(pk=self.ticket.pk))
        before = self._money_rows()
        try:
            quote_decide(quote=quote, approve=approve, via=DecisionChannel.LINK) if quote else None
        except DomainError:
            assert not quote.is_pending
            assert self._money_rows() == before
            return
        if quote is not None:
            assert quote.is_pending is False and before[0][-1][1] == QuoteStatus.PENDING

    @precondition(lambda self: self._status() in (S.IN_PROGRESS, S.COMPLETED))
    @rule(extra=st.sampled_from([Decimal("0"), Decimal("0"), Decimal("0.01"), Decimal("-1")]))
    def technician_collects_the_bill(self, extra):
        """The bill is the approved total: a cent more or less is refused."""
        ticket = Ticket.objects.select_related("technician__user").get(pk=self.ticket.pk)
        quote = latest_quote(ticket)
        if ticket.technician is None or quote is None:
            return
        before = self._money_rows()
        expected = (
            ticket.status in (S.IN_PROGRESS, S.COMPLETED)
            and quote.is_approved
            and not before[1]
            and extra == 0
        )
        try:
            payment_record(
                ticket=ticket,
                request=PaymentRequest(method="cash", amount=quote.customer_total + extra),
                actor=ticket.technician.user,
            )
        except DomainError as exc:
            assert not expected, exc
            assert self._money_rows() == before
            return
        assert expected, (ticket.status, quote.status, extra)

    @rule(part=st.sampled_from(["consent+id", "checked", "residence", "witness", "police", "all"]))
    def technician_fills_the_register(self, part):
        ticket = Ticket.objects.select_related("technician__user", "fault_type").get(
            pk=self.ticket.pk
        )
        if not ticket.fault_type.lock_opening or ticket.technician is None:
            return
        values = {
            "consent+id": {"id_consent": True, "id_number": "11010519491231002X"},
            "checked": {"id_checked": True},
            "residence": {"residence_photo": image_file()},
            "witness": {"witness_kind": WitnessKind.WITNESS, "witness_name": "物业经理"},
            "police": {"witness_kind": WitnessKind.POLICE, "police_reference": "JJ-001"},
        }
        if part == "all":
            wanted = {}
            for key in ("consent+id", "checked", "residence", "police"):
                wanted.update(values[key])
        else:
            wanted = values[part]
        try:
            lock_opening_record_save(ticket=ticket, actor=ticket.technician.user, **wanted)
        except DomainError:
            started = ticket.events.filter(type=EventType.WORK_STARTED).exists()
            assert ticket.status not in REGISTRABLE or started or part == "checked"

    @precondition(lambda self: self._status() in (S.IN_PROGRESS, S.COMPLETED))
    @rule()
    def customer_confirms_completion(self):
        try:
            completion_confirm_by_customer(ticket=Ticket.objects.get(pk=self.ticket.pk))
        except DomainError:
            pass

    @precondition(lambda self: self._status() == S.COMPLETED)
    @rule(note=st.sampled_from(["", "已回访客户，确认修好"]))
    def desk_resolves_the_review(self, note):
        ticket = Ticket.objects.get(pk=self.ticket.pk)
        was_open = CompletionReview.objects.filter(ticket=ticket, resolved_at__isnull=True)
        expected = was_open.exists() and bool(note)
        try:
            completion_review_resolve(
                ticket=ticket, actor=self.cast["people"][Role.AGENT], note=note
            )
        except DomainError:
            assert not expected
            return
        assert expected and not was_open.exists()

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
        roles = roles_for(f"ticket.transition.{name}")
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

    @rule(
        steps=st.integers(min_value=2, max_value=8),
        desk=st.booleans(),
        impatient=st.booleans(),
        gives_up=st.sampled_from([False, False, False, True]),
    )
    def the_job_moves_along(self, steps, desk, impatient, gives_up):
        """A few steps of the usual story in a row — assign, accept, go, arrive, fill
        the register, quote, approve, work, confirm (or not), complete, review, close —
        each through the real services and judged like any other attempt, so the
        gates are met in the deep statuses and not only tried at random."""
        people = self.cast["people"]
        for _ in range(steps):
            ticket = Ticket.objects.select_related("technician__user", "fault_type").get(
                pk=self.ticket.pk
            )
            status = ticket.status
            tech_user = ticket.technician.user if ticket.technician else None
            if gives_up and status in ACTIONS["cancel"].sources:  # the customer calls it off
                self._attempt(ticket, "cancel", people[Role.AGENT], "客户来电取消", None)
                return
            if status == S.ON_HOLD:
                self._attempt(ticket, "resume", people[Role.DISPATCHER], "", None)
            elif status in (S.NEW, S.DISPATCHING):
                self._attempt(
                    ticket, "assign", people[Role.DISPATCHER], "", self.cast["technicians"][0]
                )
            elif status in (S.ASSIGNED, S.ACCEPTED, S.EN_ROUTE):
                name = {S.ASSIGNED: "accept", S.ACCEPTED: "depart", S.EN_ROUTE: "arrive"}[status]
                self._attempt(ticket, name, tech_user, "", None)
            elif status == S.ON_SITE:
                if impatient:  # tries to start before the register and the approval
                    impatient = False
                    self._attempt(ticket, "start_work", tech_user, "", None)
                    continue
                quote = latest_quote(ticket)
                record = LockOpeningRecord.objects.filter(ticket=ticket).first()
                if ticket.fault_type.lock_opening and lock_opening_missing(record):
                    self.technician_fills_the_register("all")
                elif quote is None or quote.status == QuoteStatus.REJECTED:
                    self.technician_quotes("labour", "客户要求重新报价" if quote else "", True)
                elif quote.is_pending:
                    self.customer_decides(True)
                else:
                    self._attempt(ticket, "start_work", tech_user, "", None)
            elif status == S.IN_PROGRESS:
                quote = latest_quote(ticket)
                if impatient and not Payment.objects.filter(ticket=ticket).exists():
                    # More work found: a revision, and finishing before it is approved.
                    impatient = False
                    self.technician_quotes("labour+part", "拆开后发现锁体也坏了", True)
                    self._attempt(ticket, "complete", tech_user, "", None)
                    continue
                if quote.is_pending:
                    self.customer_decides(True)
                    continue
                if desk:  # the customer confirms; otherwise the desk reviews afterwards
                    self.customer_confirms_completion()
                self._attempt(ticket, "complete", tech_user, "", None)
            elif status == S.COMPLETED:
                if CompletionReview.objects.filter(ticket=ticket, resolved_at__isnull=True):
                    self.desk_resolves_the_review("已回访客户，确认修好")
                self._attempt(ticket, "close", people[Role.AGENT], "", None)
            else:
                return

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


# ---- the rules of the apps that guard the lifecycle ---------------------------------

WORK = {ACTIONS["start_work"].event, ACTIONS["complete"].event}


def _events(ticket, types):
    return TicketEvent.objects.filter(ticket=ticket, type__in=types).order_by("id")


def no_work_without_the_approved_quote(machine, ticket):
    """Work starts or completes only under the latest quote, approved by then: a
    revision (which must give its reason) stops the work until it is approved."""
    quotes = list(Quote.objects.filter(ticket=ticket).order_by("number"))
    assert all(q.reason for q in quotes[1:]), "a revision without a reason"
    for event in _events(ticket, WORK):
        before = [q for q in quotes if q.created_at <= event.created_at]
        assert before, f"{event.type} with no quote"
        current = before[-1]
        # Approved then; reopening the ticket later marks that approval "reopened".
        approved = (QuoteStatus.APPROVED, QuoteStatus.REOPENED)
        assert current.status in approved, (event.type, current.status)
        assert current.decided_at is not None and current.decided_at <= event.created_at
        if current.status == QuoteStatus.REOPENED:
            reopened = _events(ticket, [EventType.REOPENED]).filter(id__gt=event.id)
            assert reopened.exists(), (event.type, "worked on a quote reopened before")


def the_bill_is_the_approved_total(machine, ticket):
    """The approved total is the ceiling: the bill is exactly the approved quote's
    customer total, and nothing is quoted after the bill is paid unless the
    ticket was reopened since (a re-visit quotes again)."""
    latest = Quote.objects.filter(ticket=ticket).order_by("-number").first()
    for payment in Payment.objects.filter(ticket=ticket).select_related("quote"):
        # Approved when paid; a later reopen marks that approval "reopened".
        assert payment.quote.status in (QuoteStatus.APPROVED, QuoteStatus.REOPENED)
        assert payment.amount == payment.quote.customer_total
        if payment.quote != latest:
            reopens = _events(ticket, [EventType.REOPENED])
            assert reopens.filter(created_at__gte=payment.paid_at).exists(), "quoted after paying"


def no_lock_opening_before_the_register_is_complete(machine, ticket):
    if not ticket.fault_type.lock_opening:
        return
    started = _events(ticket, [ACTIONS["start_work"].event]).first()
    if started is not None:
        record = LockOpeningRecord.objects.filter(ticket=ticket).first()
        assert lock_opening_missing(record) == [], "work started with the register incomplete"
        assert record.completed_at <= started.created_at


def no_close_while_a_review_is_open(machine, ticket):
    for closed in _events(ticket, [ACTIONS["close"].event]):
        pending = CompletionReview.objects.filter(ticket=ticket, created_at__lte=closed.created_at)
        for review in pending:
            assert review.resolved_at is not None and review.resolved_at <= closed.created_at


def test_ticket_lifecycle_invariants_hold(cast):
    Lifecycle.cast = cast
    REACHED.clear()
    INVARIANTS[:] = [
        no_work_without_the_approved_quote,
        the_bill_is_the_approved_total,
        no_lock_opening_before_the_register_is_complete,
        no_close_while_a_review_is_open,
    ]
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
    deep |= {S.IN_PROGRESS, S.COMPLETED}  # past the quote, register and evidence gates
    assert deep <= set(REACHED), REACHED
