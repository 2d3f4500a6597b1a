"""Reads on complaints and ratings."""

from __future__ import annotations

from django.db.models import QuerySet

from baoxiu.feedback.models import Complaint, Rating


def complaints_for(ticket) -> QuerySet[Complaint]:
    return Complaint.objects.filter(ticket=ticket).order_by("created_at", "id")


def rating_for(ticket) -> Rating | None:
    return Rating.objects.filter(ticket=ticket).first()


def complaints_open_for(user) -> QuerySet[Complaint]:
    """Unhandled complaints on the tickets ``user`` may see, oldest first."""
    from baoxiu.tickets.selectors import tickets_visible_to

    return (
        Complaint.objects.filter(handled_at__isnull=True, ticket__in=tickets_visible_to(user))
        .select_related("ticket", "ticket__fault_type")
        .order_by("created_at", "id")
    )
