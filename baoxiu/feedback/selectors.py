"""Reads on complaints and ratings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, QuerySet

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


@dataclass(frozen=True)
class RatingSummary:
    average: Decimal | None  # one decimal place; None when nobody rated yet
    count: int


def technician_rating_summary(technician) -> RatingSummary:
    """The average stars and number of ratings of the jobs ``technician`` holds
    (one aggregate query)."""
    row = Rating.objects.filter(ticket__technician=technician).aggregate(
        average=Avg("stars"), count=Count("id")
    )
    if not row["count"]:
        return RatingSummary(average=None, count=0)
    average = Decimal(str(row["average"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return RatingSummary(average=average, count=row["count"])
