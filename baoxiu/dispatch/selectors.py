"""Reads for dispatch: which SLA policy applies, a ticket's deadlines, open alerts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _l

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


@dataclass(frozen=True)
class ApproximatePosition:
    """Where the technician is, as the customer may see it: a rounded distance
    and a compass direction from their address, never coordinates."""

    distance_km: Decimal  # to the nearest 0.5 km, at least 0.5
    direction: str  # one of COMPASS, seen from the customer's address
    minutes_ago: int


COMPASS = (_l("北"), _l("东北"), _l("东"), _l("东南"), _l("南"), _l("西南"), _l("西"), _l("西北"))


def technician_approximate_position(ticket, *, now=None) -> ApproximatePosition | None:
    """The en-route technician's blurred position for the tracking page.

    None unless the ticket is en route, its technician reported a position in
    the last ``FRESH_POSITION`` and the address has a point.
    """
    from baoxiu.dispatch.assignment import FRESH_POSITION, _job_point
    from baoxiu.dispatch.travel import great_circle_m

    tech = ticket.technician
    if ticket.status != TicketStatus.EN_ROUTE or tech is None or tech.last_latitude is None:
        return None
    now = now or timezone.now()
    if tech.last_located_at is None or now - tech.last_located_at > FRESH_POSITION:
        return None
    home = _job_point(ticket)
    if home is None:
        return None
    there = (float(tech.last_longitude), float(tech.last_latitude))
    metres = float(great_circle_m([home], [there])[0, 0])
    half_km = max(1, round(metres / 500))
    lng1, lat1, lng2, lat2 = map(math.radians, (*home, *there))
    bearing = math.degrees(
        math.atan2(
            math.sin(lng2 - lng1) * math.cos(lat2),
            math.cos(lat1) * math.sin(lat2)
            - math.sin(lat1) * math.cos(lat2) * math.cos(lng2 - lng1),
        )
    )
    return ApproximatePosition(
        distance_km=(Decimal(half_km) / 2).quantize(Decimal("0.1")),
        direction=str(COMPASS[round((bearing % 360) / 45) % 8]),
        minutes_ago=int((now - tech.last_located_at).total_seconds() // 60),
    )
