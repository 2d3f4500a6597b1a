"""Reads for dispatch: which SLA policy applies, a ticket's deadlines, open alerts."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, QuerySet

from baoxiu.areas.selectors import division_ancestry
from baoxiu.catalog.choices import Priority
from baoxiu.dispatch.choices import CLOCK_ORDER
from baoxiu.dispatch.models import DispatchAlert, SlaClock, SlaPolicy
from baoxiu.tickets.choices import TicketStatus

# The defaults the first data migration writes as editable SlaPolicy rows
# (admin → 时限规则), and the terms used when no row exists for a priority.
# Minutes; dispatch, arrive and complete count from the ticket's creation,
# accept from each assignment.
DEFAULT_SLA_MINUTES: dict[str, dict[str, int]] = {
    # Locked out: someone must be on the way at once; on site within the 30-minute promise.
    Priority.EMERGENCY: {"dispatch": 5, "accept": 5, "arrive": 30, "complete": 120},
    Priority.URGENT: {"dispatch": 30, "accept": 30, "arrive": 240, "complete": 480},
    # Normal work: on site by the next day, done within two.
    Priority.NORMAL: {"dispatch": 120, "accept": 240, "arrive": 1440, "complete": 2880},
}
DEFAULT_WARN_FRACTION = Decimal("0.80")


def sla_policy_for(*, priority: str, division_code: str | None) -> SlaPolicy:
    """The policy for ``priority`` in the nearest division at or above ``division_code``.

    Falls back to the priority's default row (no division), then to
    ``DEFAULT_SLA_MINUTES`` as an unsaved policy (``pk`` None), so a ticket
    never goes without deadlines. One query.
    """
    ancestry = division_ancestry(division_code) if division_code else []
    candidates = SlaPolicy.objects.filter(priority=priority).filter(
        Q(division__isnull=True) | Q(division_id__in=ancestry)
    )
    rank = {code: depth for depth, code in enumerate(ancestry)}
    best = min(
        candidates,
        key=lambda p: rank.get(p.division_id, len(ancestry)),
        default=None,
    )
    if best is not None:
        return best
    minutes = DEFAULT_SLA_MINUTES[priority]
    return SlaPolicy(
        priority=priority,
        dispatch_minutes=minutes["dispatch"],
        accept_minutes=minutes["accept"],
        arrive_minutes=minutes["arrive"],
        complete_minutes=minutes["complete"],
        warn_fraction=DEFAULT_WARN_FRACTION,
    )


def sla_deadlines(ticket) -> list[SlaClock]:
    """The ticket's current clock of each kind (the latest one), in step order."""
    latest: dict[str, SlaClock] = {}
    for clock in SlaClock.objects.filter(ticket=ticket).order_by("id"):
        latest[clock.kind] = clock
    return sorted(latest.values(), key=lambda c: CLOCK_ORDER[c.kind])


def alerts_open() -> QuerySet[DispatchAlert]:
    """Unacknowledged alerts, newest first, for the dispatcher board.

    Alerts of cancelled tickets no longer need anyone and are left out.
    """
    return (
        DispatchAlert.objects.filter(acknowledged_at__isnull=True)
        .exclude(ticket__status=TicketStatus.CANCELLED)
        .select_related("ticket", "clock")
        .order_by("-created_at", "-id")
    )
