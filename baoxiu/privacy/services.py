"""Revealing personal data: only with the permission, only with a reason, always audited."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from baoxiu.accounts.matrix import may
from baoxiu.core.errors import PermissionDenied, ValidationFailed
from baoxiu.privacy.choices import AuditAction, RevealField
from baoxiu.privacy.models import AuditEntry

# Who may see a customer's data unmasked (with a stated reason): the matrix's
# ``ticket.reveal_contact`` row. Technicians and outlet managers never do:
# they reach customers through the platform.
MIN_REASON = 4


@dataclass(frozen=True)
class Revealed:
    name: str
    phone: str
    address: str


def may_reveal(user) -> bool:
    return may(user, "ticket.reveal_contact")


def ticket_contact_reveal(*, user, ticket, reason: str, ip: str | None = None) -> Revealed:
    """The ticket's customer contact in full, for ``user``, recorded with ``reason``.

    Raises PermissionDenied for roles that may not reveal, ValidationFailed
    without a meaningful reason; nothing is recorded then.
    """
    if not may_reveal(user):
        raise PermissionDenied(_("您的角色不能查看客户完整信息。"))
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON or len(reason) > 200:
        raise ValidationFailed(_("请填写查看原因（4到200个字）。"), code="reason_required")
    now = timezone.now()
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                at=now,
                actor=user,
                action=AuditAction.REVEAL,
                object_type="customer",
                object_id=str(ticket.customer_id),
                field=field,
                ticket_code=ticket.code,
                reason=reason,
                ip=ip,
            )
            for field in (RevealField.NAME, RevealField.PHONE, RevealField.ADDRESS)
        ]
    )
    return Revealed(
        name=ticket.customer.name, phone=ticket.customer.phone, address=ticket.address.text
    )
