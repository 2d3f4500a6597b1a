"""Reads on tickets, always scoped to who is asking."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from baoxiu.accounts.matrix import Scope, scope_for, user_region
from baoxiu.core.errors import NotFound
from baoxiu.customers.selectors import customer_by_phone
from baoxiu.tickets.choices import UNASSIGNED_STATUSES, TicketStatus
from baoxiu.tickets.models import Ticket, TicketEvent


def _base() -> QuerySet[Ticket]:
    return Ticket.objects.select_related(
        "customer", "address", "fault_type", "lock_model", "technician", "technician__outlet"
    )


def tickets_in_scope(user, action: str = "ticket.view") -> QuerySet[Ticket]:
    """The tickets on which ``user`` may perform ``action``, narrowed by the scope
    the permission matrix gives their role: a region's, an outlet's, a
    technician's own jobs, or all. Nothing for anyone else."""
    qs = _base()
    scope = scope_for(user, action)
    if scope == Scope.ALL:
        return qs
    if scope == Scope.REGION:
        region = user_region(user)
        return qs.filter(address__area_code__startswith=region) if region else qs
    if scope == Scope.OWN_OUTLET:
        return qs.filter(technician__outlet__manager=user)
    if scope == Scope.OWN_JOBS:
        tech = getattr(user, "technician", None)
        return qs.filter(technician=tech) if tech else qs.none()
    return qs.none()


def tickets_visible_to(user) -> QuerySet[Ticket]:
    """Every ticket ``user`` may see (``ticket.view`` in the permission matrix)."""
    return tickets_in_scope(user, "ticket.view")


def ticket_in_scope(user, ticket: Ticket, action: str) -> bool:
    """``tickets_in_scope`` for one ticket already loaded (no query when its
    address and technician's outlet were selected with it)."""
    scope = scope_for(user, action)
    if scope == Scope.ALL:
        return True
    if scope == Scope.REGION:
        region = user_region(user)
        return not region or (ticket.address.area_code or "").startswith(region)
    if scope == Scope.OWN_OUTLET:
        return ticket.technician_id is not None and ticket.technician.outlet.manager_id == user.pk
    if scope == Scope.OWN_JOBS:
        tech = getattr(user, "technician", None)
        return tech is not None and ticket.technician_id == tech.pk
    return False


def access_ticket(user, code: str) -> Ticket:
    """The ticket with this code if ``user`` may see it; NotFound otherwise (no hint either way)."""
    ticket = tickets_visible_to(user).filter(code=code).first()
    if ticket is None:
        raise NotFound(_("没有找到该工单。"))
    return ticket


# A tracking link keeps working this long after the ticket is closed or
# cancelled (for the receipt, the survey, a complaint), then stops.
TRACKING_GRACE = timedelta(days=30)


def tracking_expired(ticket: Ticket, now=None) -> bool:
    ended = ticket.closed_at or ticket.cancelled_at
    if ticket.status not in (TicketStatus.CLOSED, TicketStatus.CANCELLED) or ended is None:
        return False
    return (now or timezone.now()) > ended + TRACKING_GRACE


def ticket_by_tracking(code: str, token: str) -> Ticket:
    """The ticket a customer's tracking link points at; the token must match exactly,
    and the link must not have expired (closed or cancelled more than 30 days ago)."""
    ticket = _base().filter(code=code).first()
    if ticket is None or not token or not secrets.compare_digest(ticket.tracking_token, token):
        raise NotFound(_("没有找到该工单，请核对查询链接。"))
    if tracking_expired(ticket):
        raise NotFound(_("该查询链接已过期，如需帮助请致电官方热线。"), code="tracking_expired")
    return ticket


@dataclass(frozen=True)
class TicketFilters:
    status: str = ""
    priority: str = ""
    query: str = ""  # a ticket code, or a customer's phone number
    technician_id: int | None = None
    unassigned_only: bool = False


def ticket_list(*, user, filters: TicketFilters) -> QuerySet[Ticket]:
    qs = tickets_visible_to(user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.technician_id:
        qs = qs.filter(technician_id=filters.technician_id)
    if filters.unassigned_only:
        qs = qs.filter(status__in=UNASSIGNED_STATUSES)
    query = filters.query.strip()
    if query:
        customer = customer_by_phone(query)
        match = Q(code__iexact=query)
        if customer is not None:
            match |= Q(customer=customer)
        qs = qs.filter(match)
    return qs.order_by("-created_at", "-id")


def dispatch_queue(*, user) -> QuerySet[Ticket]:
    """Unassigned tickets, most pressing first, then oldest first."""
    from django.db.models import Case, IntegerField, Value, When

    from baoxiu.catalog.choices import Priority

    rank = Case(
        *[When(priority=p.value, then=Value(p.rank)) for p in Priority],
        output_field=IntegerField(),
    )
    return (
        tickets_visible_to(user)
        .filter(status__in=UNASSIGNED_STATUSES)
        .annotate(priority_rank=rank)
        .order_by("priority_rank", "created_at", "id")
    )


def ticket_timeline(ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor").order_by("created_at", "id")


def ticket_public_timeline(ticket: Ticket) -> QuerySet[TicketEvent]:
    """The timeline a customer sees: status changes, not internal notes such as SLA alerts."""
    from baoxiu.tickets.choices import NOTE_EVENTS

    return ticket_timeline(ticket).exclude(type__in=NOTE_EVENTS)


def jobs_for_technician(*, user) -> QuerySet[Ticket]:
    from baoxiu.tickets.choices import OPEN_STATUSES

    return tickets_visible_to(user).filter(status__in=OPEN_STATUSES).order_by("created_at")
