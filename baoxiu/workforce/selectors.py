from __future__ import annotations

from django.db.models import Case, Count, Q, QuerySet, Value, When

from baoxiu.tickets.choices import OPEN_STATUSES
from baoxiu.workforce.models import Technician


def technicians_for_assignment(*, fault_type=None, area_name: str = "") -> QuerySet[Technician]:
    """Active technicians with their outlet and open-job count.

    With a fault type, only those who hold every skill it requires; with an
    area, those whose outlet serves that area come first. Then the least busy.
    """
    local = Case(When(outlet__area_name=area_name, then=Value(0)), default=Value(1))
    qs = (
        Technician.objects.filter(active=True, user__is_active=True)
        .select_related("outlet")
        .annotate(
            open_jobs=Count("tickets", filter=Q(tickets__status__in=OPEN_STATUSES)),
            is_remote=local if area_name else Value(0),
        )
        .order_by("is_remote", "open_jobs", "outlet__code", "name")
    )
    if fault_type is not None:
        for skill in fault_type.required_skills.all():
            qs = qs.filter(skills=skill)
    return qs


def technicians_on_call(at) -> QuerySet[Technician]:
    """Active technicians on the emergency rota at the moment ``at``."""
    return (
        Technician.objects.filter(active=True, on_call__starts_at__lte=at, on_call__ends_at__gt=at)
        .select_related("outlet")
        .distinct()
        .order_by("outlet__code", "name")
    )


def technician_is_working(technician: Technician, at) -> bool:
    """On shift (hours, less the break) or on the on-call rota at the moment ``at``."""
    if technician.on_shift(at):
        return True
    return technician.on_call.filter(starts_at__lte=at, ends_at__gt=at).exists()
