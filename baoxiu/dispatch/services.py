"""Writes for dispatch: SLA clocks, their warnings and breaches, dispatcher alerts,
and the automatic assignment of dispatchable tickets (``ticket_auto_dispatch``).

When clocks start and stop (decided here, documented once):

- A new ticket starts three clocks from its creation: dispatch (until it is
  assigned), arrive (until the technician is on site) and complete (until the
  repair is done) — the promise made to the customer.
- Each assignment starts an accept clock from that moment: the technician's
  response time. Accepting meets it.
- Declined or unassigned: the accept clock is cancelled (the next technician
  gets a full window of their own), and the dispatch clock runs again from the
  ticket's creation with its original deadline — the customer's promise is
  not reset by internal churn, so a job bounced back late shows as overdue at
  once. Arrive and complete keep running throughout.
- Cancelled: every open clock is cancelled and raises nothing more.
- Hold does not pause clocks, and a reopened ticket starts no new customer
  clocks (its reassignment gets an accept clock as usual).

A clock whose step is done after its deadline ends breached, whether or not a
tick raised the breach first. ``sla_tick`` raises each warning and each breach
exactly once with conditional UPDATEs, so any number of workers may tick at
once, and it takes ``now`` so a run can be replayed at any moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from baoxiu.catalog.choices import Priority
from baoxiu.dispatch.choices import OPEN_CLOCK_STATES, AlertKind, ClockKind, ClockState
from baoxiu.dispatch.models import DispatchAlert, DispatchSuggestion, SlaClock, SlaPolicy
from baoxiu.dispatch.selectors import sla_policy_for
from baoxiu.tickets.choices import EventType, TicketStatus
from baoxiu.tickets.services import ticket_event_record

# Clocks a new ticket starts with; accept starts at each assignment.
CREATION_CLOCKS = (ClockKind.DISPATCH, ClockKind.ARRIVE, ClockKind.COMPLETE)
# Which timeline event meets which clock.
MEETS = {
    EventType.ASSIGNED: ClockKind.DISPATCH,
    EventType.ACCEPTED: ClockKind.ACCEPT,
    EventType.ON_SITE: ClockKind.ARRIVE,
    EventType.COMPLETED: ClockKind.COMPLETE,
}
RELEASES = (EventType.DECLINED, EventType.UNASSIGNED)
# Clocks raised per tick and kind; after a long outage the rest follow next tick.
TICK_BATCH = 1000


def _new_clock(ticket, kind: str, policy: SlaPolicy, started_at: datetime) -> SlaClock:
    allowed = timedelta(minutes=policy.minutes_for(kind))
    warn_after = timedelta(seconds=round(allowed.total_seconds() * float(policy.warn_fraction)))
    return SlaClock(
        ticket=ticket,
        kind=kind,
        policy=policy if policy.pk else None,
        started_at=started_at,
        warn_at=started_at + warn_after,
        due_at=started_at + allowed,
    )


def _open(ticket, kinds) -> dict:
    return {
        "ticket": ticket,
        "kind__in": list(kinds),
        "state__in": OPEN_CLOCK_STATES,
        "met_at__isnull": True,
    }


def sla_clocks_start(*, ticket, now: datetime) -> list[SlaClock]:
    """Start a new ticket's dispatch, arrive and complete clocks from ``now``.

    Uses the policy for the ticket's priority and the nearest division of its
    address. Idempotent: a ticket that already has clocks gets none added.
    Runs in the caller's transaction (``ticket_create``).
    """
    if SlaClock.objects.filter(ticket=ticket).exists():
        return []
    policy = sla_policy_for(priority=ticket.priority, division_code=ticket.address.division_id)
    return SlaClock.objects.bulk_create(
        [_new_clock(ticket, kind, policy, now) for kind in CREATION_CLOCKS]
    )


def sla_clocks_follow(*, ticket, event) -> None:
    """Meet, restart or cancel the ticket's clocks after a status change.

    Called by ``ticket_transition`` with the event it just wrote, inside its
    transaction; the event's time is the time of the change. Events that
    concern no clock change nothing.
    """
    now = event.created_at
    met = MEETS.get(event.type)
    if met is not None:
        _stop(ticket, met, now)
    if event.type == EventType.ASSIGNED:
        _cancel(ticket, [ClockKind.ACCEPT], now)  # a stale one, should there be any
        policy = sla_policy_for(priority=ticket.priority, division_code=ticket.address.division_id)
        _new_clock(ticket, ClockKind.ACCEPT, policy, now).save()
    elif event.type in RELEASES:
        _cancel(ticket, [ClockKind.ACCEPT], now)
        _restart_dispatch(ticket)
    elif event.type == EventType.CANCELLED:
        _cancel(ticket, ClockKind.values, now)


def _stop(ticket, kind: str, now: datetime) -> None:
    SlaClock.objects.filter(**_open(ticket, [kind])).update(
        met_at=now,
        state=Case(
            When(state=ClockState.BREACHED, then=Value(ClockState.BREACHED)),
            When(due_at__lt=now, then=Value(ClockState.BREACHED)),
            default=Value(ClockState.MET),
        ),
    )


def _cancel(ticket, kinds, now: datetime) -> None:
    SlaClock.objects.filter(**_open(ticket, kinds)).update(
        state=ClockState.CANCELLED, cancelled_at=now
    )


def _restart_dispatch(ticket) -> None:
    """Dispatch runs again on the original deadline (a new row; the old one keeps its outcome)."""
    last = SlaClock.objects.filter(ticket=ticket, kind=ClockKind.DISPATCH).order_by("-id").first()
    if last is None or last.is_open:
        return
    SlaClock.objects.create(
        ticket=ticket,
        kind=ClockKind.DISPATCH,
        policy_id=last.policy_id,
        started_at=last.started_at,
        warn_at=last.warn_at,
        due_at=last.due_at,
    )


@dataclass(frozen=True)
class SlaTickResult:
    warned: int
    breached: int


def sla_tick(*, now: datetime) -> SlaTickResult:
    """Raise the warnings and breaches due at ``now``; each exactly once.

    A running clock past its deadline is breached (a clock first seen already
    overdue gets the breach only, no late warning); one past its warning point
    is warned. Each raise is a conditional UPDATE (``warned_at`` /
    ``breached_at`` still empty) followed, only by the winner, by a timeline
    event and a dispatcher alert in the same transaction.
    """
    overdue = SlaClock.objects.filter(state=ClockState.RUNNING, due_at__lte=now)
    breached = sum(
        _raise(pk, AlertKind.SLA_BREACHED, now)
        for pk in overdue.order_by("due_at").values_list("pk", flat=True)[:TICK_BATCH]
    )
    nearly = SlaClock.objects.filter(
        state=ClockState.RUNNING, warned_at__isnull=True, warn_at__lte=now, due_at__gt=now
    )
    warned = sum(
        _raise(pk, AlertKind.SLA_WARNING, now)
        for pk in nearly.order_by("warn_at").values_list("pk", flat=True)[:TICK_BATCH]
    )
    return SlaTickResult(warned=warned, breached=breached)


def _raise(clock_id: int, kind: str, now: datetime) -> bool:
    running = SlaClock.objects.filter(pk=clock_id, state=ClockState.RUNNING)
    with transaction.atomic():
        if kind == AlertKind.SLA_BREACHED:
            won = running.filter(breached_at__isnull=True, due_at__lte=now).update(
                state=ClockState.BREACHED, breached_at=now
            )
            event_type = EventType.SLA_BREACHED
        else:
            won = running.filter(warned_at__isnull=True, due_at__gt=now).update(warned_at=now)
            event_type = EventType.SLA_WARNING
        if not won:
            return False  # another worker raised it, or the step was done meanwhile
        clock = SlaClock.objects.select_related("ticket").get(pk=clock_id)
        message = _alert_message(clock, kind)
        ticket_event_record(
            ticket=clock.ticket,
            event_type=event_type,
            note=message,
            data={"clock_id": clock.pk, "kind": clock.kind, "due_at": clock.due_at.isoformat()},
            now=now,
        )
        DispatchAlert.objects.create(
            ticket=clock.ticket, clock=clock, kind=kind, message=message, created_at=now
        )
    return True


def _alert_message(clock: SlaClock, kind: str) -> str:
    values = {
        "kind": ClockKind(clock.kind).label,
        "due": timezone.localtime(clock.due_at).strftime("%m-%d %H:%M"),
    }
    if kind == AlertKind.SLA_BREACHED:
        return _("%(kind)s已超时（时限 %(due)s）") % values
    return _("%(kind)s时限将于 %(due)s 到期") % values


def dispatch_alert_acknowledge(*, alert: DispatchAlert, user, now: datetime | None = None) -> bool:
    """Mark an alert as seen by ``user``; False when someone acknowledged it first."""
    now = now or timezone.now()
    won = DispatchAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=user
    )
    if won:
        alert.acknowledged_at, alert.acknowledged_by = now, user
    return bool(won)


# ---- automatic assignment -------------------------------------------------------


def ticket_auto_dispatch(*, ticket_id: int, now: datetime | None = None):
    """Decide who takes a dispatchable ticket, and record what was proposed.

    In ``auto`` mode the best technician is assigned when they can arrive
    within the ticket's promise; in ``suggest`` mode the top three wait on the
    board. When no one can arrive in time, a LATE_RISK event and an alert say
    so at once (once per ticket until acknowledged), naming the best late
    option; an emergency is then assigned only when that earliest arrival is
    a technician with nothing before it, otherwise it waits at the head of the
    queue and is decided again whenever a technician comes free
    (``waiting_emergencies_redispatch``). No eligible technician at all gives
    a NO_TECHNICIAN event and alert; so does other work that only technicians
    held for emergency cover could take (``Candidate.held``): it is not
    assigned automatically, the dispatcher decides. An emergency whose best
    on-time candidate must turn back from other work (``Candidate.diverts``)
    takes them: that job is unassigned first and goes back to dispatch — an
    emergency too, when it is late anyway or someone else reaches it in time
    (``Candidate.hands_over``).
    Technicians who declined this ticket are not proposed again.
    Returns the DispatchSuggestion, or None when the ticket no longer waits.
    """
    from django.conf import settings

    from baoxiu.dispatch.assignment import assignment_candidates
    from baoxiu.dispatch.choices import DispatchMode
    from baoxiu.tickets.choices import UNASSIGNED_STATUSES
    from baoxiu.tickets.models import Ticket
    from baoxiu.tickets.transitions import ticket_transition
    from baoxiu.workforce.models import Technician

    now = now or timezone.now()
    ticket = Ticket.objects.select_related("address", "fault_type").filter(pk=ticket_id).first()
    if ticket is None or ticket.status not in UNASSIGNED_STATUSES:
        return None
    declined = set(
        ticket.events.filter(type=EventType.DECLINED).values_list("data__technician_id", flat=True)
    )
    candidates = [
        c
        for c in assignment_candidates(ticket=ticket, now=now, limit=3 + len(declined))
        if c.technician_id not in declined
    ][:3]
    mode = DispatchMode(settings.DISPATCH_MODE)
    best = candidates[0] if candidates else None
    with transaction.atomic():
        suggestion = _suggestion_record(ticket, candidates, mode, now)
        if best is None:
            _dispatch_alert(
                ticket,
                EventType.NO_TECHNICIAN,
                AlertKind.NO_TECHNICIAN,
                _("没有可派的师傅：服务覆盖、技能或在岗时间都不符合"),
                now,
            )
        elif best.held:
            _dispatch_alert(
                ticket,
                EventType.NO_TECHNICIAN,
                AlertKind.NO_TECHNICIAN,
                _("能接此单的师傅都需留作急修备勤：请调度决定是否派出"),
                now,
            )
        elif not best.on_time:
            message = _("无人能按时到达：最早由%(name)s于 %(eta)s 到达") % {
                "name": best.name,
                "eta": timezone.localtime(best.eta).strftime("%H:%M"),
            }
            _dispatch_alert(ticket, EventType.LATE_RISK, AlertKind.LATE_RISK, message, now)
            if (
                mode == DispatchMode.AUTO
                and ticket.priority == Priority.EMERGENCY
                and best.free_at <= now
            ):
                # Late binding: a late emergency is not promised to someone still busy
                # (whoever comes free first may get there sooner); it goes to the
                # earliest arrival once that technician has nothing before it.
                technician = Technician.objects.get(pk=best.technician_id)
                ticket_transition(
                    ticket=ticket,
                    action="assign",
                    technician=technician,
                    note=_("无人能按时到达，由最早能到的空闲师傅接手：%(reason)s")
                    % {"reason": best.reason},
                )
                suggestion.assigned = True
                suggestion.save(update_fields=["assigned"])
        elif mode == DispatchMode.AUTO:
            technician = Technician.objects.get(pk=best.technician_id)
            if best.diverts or best.hands_over:
                _divert_for_emergency(
                    technician, ticket, diverts=best.diverts, hands_over=best.hands_over
                )
            ticket_transition(
                ticket=ticket, action="assign", technician=technician, note=best.reason
            )
            suggestion.assigned = True
            suggestion.save(update_fields=["assigned"])
    return suggestion


def _suggestion_record(ticket, candidates, mode, now):
    """Store the proposal. A ticket decided again (a waiting emergency, every
    minute) keeps one row while the proposed technicians stay the same: their
    ETAs and reasons are refreshed in place, so the table does not grow by a
    row per minute; a new row is written when the proposal changes."""

    fields = {
        "created_at": now,
        "mode": mode,
        "candidates": [c.as_json() for c in candidates],
        "on_time": bool(candidates and candidates[0].on_time),
    }
    latest = DispatchSuggestion.objects.filter(ticket=ticket).order_by("-created_at", "-id").first()
    if (
        latest is not None
        and not latest.assigned
        and (latest.mode, latest.on_time) == (mode, fields["on_time"])
        and [c.get("technician_id") for c in latest.candidates]
        == [c.technician_id for c in candidates]
    ):
        for name, value in fields.items():
            setattr(latest, name, value)
        latest.save(update_fields=list(fields))
        return latest
    return DispatchSuggestion.objects.create(ticket=ticket, **fields)


def _divert_for_emergency(technician, emergency, *, diverts: bool, hands_over: int) -> None:
    """Free ``technician`` for ``emergency``: the job they are driving to
    (``diverts``: they turn back) and the emergency they give up (``hands_over``:
    late anyway, or another technician reaches it in time) go back to dispatch,
    and are decided again at once. Runs inside ``ticket_auto_dispatch``'s
    transaction."""
    from django.db.models import Q

    from baoxiu.tickets.models import Ticket
    from baoxiu.tickets.transitions import ticket_transition

    given_up = Q(pk=hands_over) if hands_over else Q(pk__in=[])
    if diverts:
        given_up |= Q(status=TicketStatus.EN_ROUTE)
    for job in Ticket.objects.filter(given_up, technician=technician).order_by("pk"):
        if job.priority == Priority.EMERGENCY:
            note = _(
                "师傅改去另一张急修工单 %(code)s（本单已无法按时到达或另有师傅能按时赶到），"
                "本单重新派单"
            )
        else:
            note = _("师傅改去处理急修工单 %(code)s，本单重新派单")
        ticket_transition(ticket=job, action="unassign", note=note % {"code": emergency.code})


def waiting_emergencies_redispatch(*, now: datetime | None = None) -> int:
    """Decide again every emergency still waiting for a technician, oldest first.

    Run when a technician comes free (a job completed, cancelled, declined or
    taken back) and every minute (shifts start, positions move). Returns how
    many were assigned.
    """
    from baoxiu.tickets.models import Ticket

    waiting = Ticket.objects.filter(
        status=TicketStatus.DISPATCHING, priority=Priority.EMERGENCY
    ).order_by("created_at", "pk")
    assigned = 0
    for ticket_id in waiting.values_list("pk", flat=True):
        suggestion = ticket_auto_dispatch(ticket_id=ticket_id, now=now)
        assigned += bool(suggestion and suggestion.assigned)
    return assigned


def _dispatch_alert(ticket, event_type: str, kind: str, message: str, now: datetime) -> None:
    """Tell the dispatcher once: a ticket decided again keeps its unacknowledged alert."""
    if DispatchAlert.objects.filter(
        ticket=ticket, kind=kind, acknowledged_at__isnull=True
    ).exists():
        return
    ticket_event_record(ticket=ticket, event_type=event_type, note=message, now=now)
    DispatchAlert.objects.create(ticket=ticket, kind=kind, message=message, created_at=now)


def ticket_assign_by_dispatcher(*, ticket, technician, actor, note: str = ""):
    """A person assigns a ticket. Choosing someone other than the platform's first
    suggestion is an override and needs a reason, kept on the timeline.
    """
    from baoxiu.core.errors import ValidationFailed
    from baoxiu.tickets.transitions import ticket_transition

    latest = DispatchSuggestion.objects.filter(ticket=ticket).order_by("-created_at", "-id").first()
    top = latest.candidates[0]["technician_id"] if latest and latest.candidates else None
    note = (note or "").strip()
    if top is not None and technician is not None and technician.pk != top:
        if not note:
            raise ValidationFailed(
                _("未选择系统推荐的师傅，请填写改派原因。"), code="override_reason_required"
            )
        note = _("改派：%(reason)s") % {"reason": note}
    return ticket_transition(
        ticket=ticket, action="assign", actor=actor, technician=technician, note=note
    )


def sla_arrival_follow_appointment(*, ticket, end: datetime, now: datetime) -> None:
    """A booked visit window becomes the arrival promise: the arrive clock falls due
    at the window's end (its warning at the window's start)."""
    from baoxiu.dispatch.choices import ClockKind

    window_start = ticket.appointment_start or now
    SlaClock.objects.filter(
        ticket=ticket, kind=ClockKind.ARRIVE, state__in=OPEN_CLOCK_STATES
    ).update(
        due_at=end,
        warn_at=window_start,
        warned_at=None,
        breached_at=None,
        state=ClockState.RUNNING,
    )
