"""The customer's job photos, parts and completion records, for data-subject requests.

Photos show the inside of their home: erasure deletes the rows and, once
the transaction commits, the files. Replaced parts stay for the stock
figures with their serial numbers blanked; a review keeps its reason (the
system's words) and loses the desk's note.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from baoxiu.evidence.files import image_delete
from baoxiu.evidence.models import (
    CompletionConfirmation,
    CompletionReview,
    JobPhoto,
    PartReplacement,
)
from baoxiu.privacy.retention import visible
from baoxiu.privacy.subjects import subject_data


def _iso(moment):
    return timezone.localtime(moment).isoformat() if moment else None


def _of(model, customer):
    return visible(model.objects.filter(ticket__customer=customer)).select_related("ticket")


def export_evidence(customer) -> dict:
    return {
        "photos": [
            {
                "ticket_code": photo.ticket.code,
                "kind": photo.get_kind_display(),
                "caption": photo.caption,
                "file": photo.file_name,
                "sha256": photo.sha256,
                "created_at": _iso(photo.created_at),
            }
            for photo in _of(JobPhoto, customer).order_by("created_at", "id")
        ],
        "parts": [
            {
                "ticket_code": part.ticket.code,
                "name": part.name,
                "code": part.code,
                "new_serial": part.new_serial,
                "old_serial": part.old_serial,
                "old_part": part.get_old_part_display(),
                "created_at": _iso(part.created_at),
            }
            for part in _of(PartReplacement, customer).order_by("created_at", "id")
        ],
        "completion_confirmations": [
            {
                "ticket_code": row.ticket.code,
                "method": row.get_method_display(),
                "at": _iso(row.confirmed_at),
            }
            for row in _of(CompletionConfirmation, customer).order_by("id")
        ],
        "completion_reviews": [
            {
                "ticket_code": row.ticket.code,
                "reason": row.reason,
                "note": row.note,
                "created_at": _iso(row.created_at),
                "resolved_at": _iso(row.resolved_at),
            }
            for row in _of(CompletionReview, customer).order_by("id")
        ],
    }


def erase_evidence(customer, now) -> int:
    photos = _of(JobPhoto, customer)
    files = list(photos.values_list("file_name", flat=True))
    changed = photos.delete()[0]
    transaction.on_commit(lambda: [image_delete(name) for name in files])
    changed += _of(PartReplacement, customer).update(new_serial="", old_serial="")
    changed += _of(CompletionReview, customer).update(note="")
    return changed


subject_data("evidence", export=export_evidence, erase=erase_evidence)
