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


def subject_summary(customer) -> dict:
    """What the data-subject page shows before acting: masked, counts only."""
    from baoxiu.core.validators import mask_mobile, mask_name
    from baoxiu.privacy.retention import retention_rules, visible
    from baoxiu.tickets.choices import OPEN_STATUSES

    tickets = visible(customer.tickets.all())
    retained = 0
    for rule in retention_rules():
        model = rule.model_class()
        retained += model._base_manager.filter(**{rule.subject: customer}).count()
    return {
        "id": customer.pk,
        "name": mask_name(customer.name),
        "phone": mask_mobile(customer.phone),
        "tickets": tickets.count(),
        "open_tickets": list(
            tickets.filter(status__in=OPEN_STATUSES).values_list("code", flat=True)
        ),
        "retained": retained,
    }
