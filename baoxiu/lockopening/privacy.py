"""The lock-opening register under data-subject requests.

Local rules (公安 requirements) keep each register entry for its policy's
period (``purge_after``), erasure or not: the customer's entries become
storage-only — hidden by ``LockOpeningRecord.objects`` — and are deleted,
with their images, when the period ends. Until then they are exported.
"""

from __future__ import annotations

from django.utils import timezone

from baoxiu.lockopening.models import LockOpeningRecord
from baoxiu.privacy.retention import retain
from baoxiu.privacy.subjects import subject_data


def _iso(moment):
    return timezone.localtime(moment).isoformat() if moment else None


def purge_records(queryset) -> int:
    from baoxiu.lockopening.services import lock_opening_records_delete

    return lock_opening_records_delete(queryset, files_on_commit=True)


def export_register(customer) -> list[dict]:
    records = LockOpeningRecord.objects.filter(ticket__customer=customer).select_related("ticket")
    return [
        {
            "ticket_code": record.ticket.code,
            "policy": record.policy_name,
            "id_number": record.id_number,
            "id_checked": record.id_checked,
            "id_consent_at": _iso(record.id_consent_at),
            "residence_proof": bool(record.residence_proof_file),
            "witness_kind": record.get_witness_kind_display(),
            "witness_name": record.witness_name,
            "police_reference": record.police_reference,
            "created_at": _iso(record.created_at),
            "completed_at": _iso(record.completed_at),
            "kept_until": _iso(record.purge_after),
        }
        for record in records.order_by("id")
    ]


retain(
    "lockopening.LockOpeningRecord",
    until="purge_after",
    subject="ticket__customer",
    reason="开锁登记：按当地开锁管理规定保存至期满",
    purge=purge_records,
)
# Nothing to erase: what retention does not keep, it has deleted already.
subject_data("lock_opening_register", export=export_register, erase=lambda customer, now: 0)
