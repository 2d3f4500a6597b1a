from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from baoxiu.tickets.choices import OPEN_STATUSES
from baoxiu.workforce.models import Technician


def technicians_for_assignment(*, fault_type=None) -> QuerySet[Technician]:
    """Active technicians with their outlet and open-job count; with a fault type,
    only those who hold every skill it requires."""
    qs = (
        Technician.objects.filter(active=True, user__is_active=True)
        .select_related("outlet")
        .annotate(open_jobs=Count("tickets", filter=Q(tickets__status__in=OPEN_STATUSES)))
        .order_by("outlet__code", "name")
    )
    if fault_type is not None:
        for skill in fault_type.required_skills.all():
            qs = qs.filter(skills=skill)
    return qs
