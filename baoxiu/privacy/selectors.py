from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from baoxiu.privacy.models import AuditEntry


def audit_search(
    *, actor: str = "", ticket_code: str = "", since: date | None = None, until: date | None = None
) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.select_related("actor")
    if actor:
        qs = qs.filter(actor__username__iexact=actor)
    if ticket_code:
        qs = qs.filter(ticket_code__iexact=ticket_code)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs.order_by("-at", "-id")
