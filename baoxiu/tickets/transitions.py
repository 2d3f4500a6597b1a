"""The one place where a ticket's status changes.

``ALLOWED_TRANSITIONS`` is the explicit map of legal moves; ``ACTIONS`` names
each move and what else it changes; who may make it, on which tickets, is the
permission matrix's ``ticket.transition.<action>`` row (``baoxiu.accounts.matrix``).
``ticket_transition`` checks both, then writes with a conditional UPDATE on ``version`` so that of
two concurrent changes to one ticket exactly one wins, and records a
``TicketEvent`` in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from baoxiu.accounts.matrix import Scope, may, scope_for
from baoxiu.core.errors import (
    ConcurrentUpdate,
    IllegalTransition,
    PermissionDenied,
    ValidationFailed,
)
from baoxiu.core.queue import enqueue
from baoxiu.tickets.choices import EventType
from baoxiu.tickets.choices import TicketStatus as S
from baoxiu.tickets.models import Ticket, TicketEvent
from baoxiu.tickets.selectors import ticket_in_scope

HOLDABLE = (S.DISPATCHING, S.ASSIGNED, S.ACCEPTED, S.EN_ROUTE, S.ON_SITE, S.IN_PROGRESS)
CANCELLABLE = (S.NEW, S.DISPATCHING, S.ASSIGNED, S.ACCEPTED, S.EN_ROUTE, S.ON_SITE, S.ON_HOLD)

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.DISPATCHING, S.ASSIGNED, S.CANCELLED}),
    S.DISPATCHING: frozenset({S.ASSIGNED, S.ON_HOLD, S.CANCELLED}),
    S.ASSIGNED: frozenset({S.ACCEPTED, S.DISPATCHING, S.ON_HOLD, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.EN_ROUTE, S.DISPATCHING, S.ON_HOLD, S.CANCELLED}),
    S.EN_ROUTE: frozenset({S.ON_SITE, S.DISPATCHING, S.ON_HOLD, S.CANCELLED}),
    S.ON_SITE: frozenset({S.IN_PROGRESS, S.ON_HOLD, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.COMPLETED, S.ON_HOLD}),
    S.COMPLETED: frozenset({S.CLOSED, S.DISPATCHING}),
    S.CLOSED: frozenset({S.DISPATCHING}),
    S.CANCELLED: frozenset(),
    # Resuming returns to the status the ticket was held from (checked below).
    S.ON_HOLD: frozenset(set(HOLDABLE) | {S.CANCELLED}),
}


@dataclass(frozen=True)
class Action:
    name: str
    label: str  # lazy translation
    sources: tuple[str, ...]
    target: str | None  # None: back to the status held from
    event: str
    needs_reason: bool = False
    stamps: tuple[str, ...] = field(default=())


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action("dispatch", _l("进入派单"), (S.NEW,), S.DISPATCHING, EventType.DISPATCHING),
        Action(
            "assign",
            _l("派给师傅"),
            (S.NEW, S.DISPATCHING),
            S.ASSIGNED,
            EventType.ASSIGNED,
            stamps=("assigned_at",),
        ),
        Action(
            "accept",
            _l("接单"),
            (S.ASSIGNED,),
            S.ACCEPTED,
            EventType.ACCEPTED,
            stamps=("accepted_at",),
        ),
        Action(
            "decline",
            _l("拒单"),
            (S.ASSIGNED,),
            S.DISPATCHING,
            EventType.DECLINED,
            needs_reason=True,
        ),
        Action(
            "unassign",
            _l("撤回派单"),
            (S.ASSIGNED, S.ACCEPTED, S.EN_ROUTE),  # en route: e.g. sent to an emergency instead
            S.DISPATCHING,
            EventType.UNASSIGNED,
            needs_reason=True,
        ),
        Action("depart", _l("出发"), (S.ACCEPTED,), S.EN_ROUTE, EventType.EN_ROUTE),
        Action(
            "arrive",
            _l("已到达"),
            (S.EN_ROUTE,),
            S.ON_SITE,
            EventType.ON_SITE,
            stamps=("arrived_at",),
        ),
        Action(
            "start_work",
            _l("开始维修"),
            (S.ON_SITE,),
            S.IN_PROGRESS,
            EventType.WORK_STARTED,
        ),
        Action(
            "complete",
            _l("完工"),
            (S.IN_PROGRESS,),
            S.COMPLETED,
            EventType.COMPLETED,
            stamps=("completed_at",),
        ),
        Action(
            "close",
            _l("关闭工单"),
            (S.COMPLETED,),
            S.CLOSED,
            EventType.CLOSED,
            stamps=("closed_at",),
        ),
        Action(
            "cancel",
            _l("取消工单"),
            CANCELLABLE,
            S.CANCELLED,
            EventType.CANCELLED,
            needs_reason=True,
            stamps=("cancelled_at",),
        ),
        Action(
            "hold",
            _l("挂起"),
            HOLDABLE,
            S.ON_HOLD,
            EventType.ON_HOLD,
            needs_reason=True,
        ),
        Action(
            "resume",
            _l("恢复处理"),
            (S.ON_HOLD,),
            None,
            EventType.RESUMED,
        ),
        Action(
            "reopen",
            _l("重开工单"),
            (S.COMPLETED, S.CLOSED),
            S.DISPATCHING,
            EventType.REOPENED,
            needs_reason=True,
        ),
    ]
}

# Actions after which the ticket no longer has a technician.
RELEASES_TECHNICIAN = {"decline", "unassign", "reopen"}
SYSTEM_LABEL = _l("系统")


# Other apps add rules to transitions without this module knowing them:
# a guard may refuse an action (it raises a DomainError and nothing is written),
# e.g. no work before the customer approved a quote; a follower runs inside the
# transaction after every event, e.g. to bind or release a privacy number.
# Both are registered from an AppConfig.ready().
_GUARDS: dict[str, list[Callable]] = {}
_FOLLOWERS: list[Callable] = []


def transition_guard(*actions: str):
    """Register ``fn(*, ticket, actor, note)`` to run before each named action."""

    def register(fn):
        for name in actions:
            if name not in ACTIONS:
                raise KeyError(name)
            if fn not in _GUARDS.setdefault(name, []):
                _GUARDS[name].append(fn)
        return fn

    return register


def transition_follower(fn):
    """Register ``fn(*, ticket, event)`` to run after every transition, in its transaction."""
    if fn not in _FOLLOWERS:
        _FOLLOWERS.append(fn)
    return fn


def _target_for(action: Action, ticket: Ticket) -> str:
    return action.target if action.target is not None else ticket.status_before_hold


def can_perform(user, ticket: Ticket, action_name: str) -> bool:
    """Whether ``user`` (None for the system) may perform the action on this ticket now.

    Who may is the permission matrix's ``ticket.transition.<action>`` row,
    on the tickets within the scope it gives the user's role.
    """
    action = ACTIONS.get(action_name)
    if action is None or ticket.status not in action.sources:
        return False
    if user is None:
        return True
    permission = f"ticket.transition.{action_name}"
    if not may(user, permission):
        return False
    if action_name == "assign":
        # An unassigned ticket belongs to no outlet yet: the scope is checked
        # on the technician it goes to (``technician_in_scope``).
        return True
    return ticket_in_scope(user, ticket, permission)


def technician_in_scope(user, technician) -> bool:
    """Whether ``user`` may hand a job to ``technician``: an outlet manager only
    to their own outlet's technicians, dispatchers and operations to anyone."""
    if user is None or technician is None:
        return True
    scope = scope_for(user, "ticket.transition.assign")
    if scope == Scope.OWN_OUTLET:
        return technician.outlet.manager_id == user.pk
    return scope is not None


def actions_available(user, ticket: Ticket) -> list[Action]:
    return [
        a for name, a in ACTIONS.items() if name != "assign" and can_perform(user, ticket, name)
    ]


def ticket_transition(
    *,
    ticket: Ticket,
    action: str,
    actor=None,
    note: str = "",
    technician=None,
    actor_label: str = "",
) -> Ticket:
    """Perform ``action`` on ``ticket`` as ``actor`` (None: the system).

    Preconditions: the action exists, the ticket's status is one of its
    sources, the actor's role allows it, a reason is given where required and
    ``assign`` names an active technician. Otherwise a DomainError is raised
    and nothing is written. Raises ConcurrentUpdate when another change to the
    ticket committed after ``ticket`` was read.
    Side effects: one TicketEvent; SLA clocks met, restarted or cancelled;
    notification jobs queued; all in the same transaction.
    """
    spec = ACTIONS.get(action)
    if spec is None:
        raise IllegalTransition(_("未知的操作。"), code="unknown_action")
    if ticket.status not in spec.sources:
        raise IllegalTransition(
            _("工单当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": ticket.get_status_display(), "action": spec.label}
        )
    target = _target_for(spec, ticket)
    if target not in ALLOWED_TRANSITIONS[ticket.status]:
        raise IllegalTransition(_("不允许的状态变更。"))
    if not can_perform(actor, ticket, action):
        raise PermissionDenied(_("您没有权限对该工单执行“%(action)s”。") % {"action": spec.label})
    note = (note or "").strip()
    if spec.needs_reason and not note:
        raise ValidationFailed(_("请填写原因。"), code="reason_required")
    if len(note) > 500:
        raise ValidationFailed(_("原因不能超过500个字。"), code="reason_too_long")
    for guard in _GUARDS.get(action, ()):
        guard(ticket=ticket, actor=actor, note=note)

    now = timezone.now()
    changes: dict = {"status": target, "version": F("version") + 1, "updated_at": now}
    for stamp in spec.stamps:
        changes[stamp] = now
    data: dict = {}
    if action == "assign":
        if technician is None or not technician.active:
            raise ValidationFailed(_("请选择一位在岗的师傅。"), code="technician_required")
        if not technician_in_scope(actor, technician):
            raise PermissionDenied(_("只能派给本网点的师傅。"), code="technician_out_of_scope")
        changes["technician"] = technician
        data = {"technician_id": technician.pk, "technician_name": technician.name}
    elif action in RELEASES_TECHNICIAN:
        changes["technician"] = None
        if ticket.technician_id:
            data = {"technician_id": ticket.technician_id}
    if action == "hold":
        changes["status_before_hold"] = ticket.status
    elif action == "resume":
        changes["status_before_hold"] = ""

    with transaction.atomic():
        won = Ticket.objects.filter(
            pk=ticket.pk, version=ticket.version, status=ticket.status
        ).update(**changes)
        if not won:
            raise ConcurrentUpdate(_("工单已被他人更新，请刷新后重试。"))
        event = TicketEvent.objects.create(
            ticket_id=ticket.pk,
            type=spec.event,
            actor=actor,
            actor_label=actor_label or (str(actor) if actor else str(SYSTEM_LABEL)),
            from_status=ticket.status,
            to_status=target,
            note=note,
            data=data,
            created_at=now,
        )
        ticket.refresh_from_db()
        # Hook (issue 4): SLA clocks met, restarted or cancelled by this change.
        from baoxiu.dispatch.services import sla_clocks_follow

        sla_clocks_follow(ticket=ticket, event=event)
        from baoxiu.notifications.services import notify_ticket_event

        notify_ticket_event(ticket=ticket, event=event)
        for follower in _FOLLOWERS:
            follower(ticket=ticket, event=event)
        if target == S.DISPATCHING:
            # Back in the queue (new, declined, unassigned, reopened): dispatch
            # looks for a technician at once, in a job that commits with this change.
            enqueue(
                "dispatch.auto_assign",
                {"ticket_id": ticket.pk},
                dedupe_key=f"auto-assign:{ticket.pk}:{ticket.version}",
            )
    return ticket
