"""Reads on complaints and ratings."""

from __future__ import annotations

from django.db.models import QuerySet

from baoxiu.feedback.models import Complaint, Rating


def complaints_for(ticket) -> QuerySet[Complaint]:
    return Complaint.objects.filter(ticket=ticket).order_by("created_at", "id")


def rating_for(ticket) -> Rating | None:
    return Rating.objects.filter(ticket=ticket).first()
