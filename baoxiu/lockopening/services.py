"""Writes on the lock-opening register (开锁登记)."""

from __future__ import annotations

import base64
import binascii
import io
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baoxiu.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from baoxiu.evidence.files import image_delete, image_store
from baoxiu.evidence.services import is_own_job, ticket_note_event
from baoxiu.lockopening.choices import WitnessKind
from baoxiu.lockopening.idnumbers import mask_resident_id, normalize_resident_id
from baoxiu.lockopening.models import LockOpeningRecord
from baoxiu.lockopening.selectors import lock_opening_missing, policy_for_ticket
from baoxiu.tickets.choices import EventType, TicketStatus

# Version of the separate notice for collecting an ID number (shown on the form).
ID_CONSENT_VERSION = "id-2026-01"
# The register is filled in from acceptance until the door is opened; after
# work starts it is evidence and no longer changes.
REGISTRABLE = (TicketStatus.ACCEPTED, TicketStatus.EN_ROUTE, TicketStatus.ON_SITE)
MAX_SIGNATURE_BYTES = 1024 * 1024


def id_number_refuse_unless_lock_opening(ticket) -> None:
    """Minimisation: ID numbers are collected for lock opening only."""
    if not ticket.fault_type.lock_opening:
        raise ValidationFailed(_("非开锁工单不得采集身份证号。"), code="id_number_not_allowed")


def signature_from_data_url(data_url: str) -> io.BytesIO | None:
    """The PNG drawn on the signature pad (``data:image/png;base64,...``), as a file."""
    if not data_url:
        return None
    prefix = "data:image/png;base64,"
    if not data_url.startswith(prefix) or len(data_url) > MAX_SIGNATURE_BYTES * 4 // 3 + 100:
        raise ValidationFailed(_("签名图片无效，请重新签名。"), code="signature_invalid")
    try:
        return io.BytesIO(base64.b64decode(data_url[len(prefix) :], validate=True))
    except (binascii.Error, ValueError):
        raise ValidationFailed(_("签名图片无效，请重新签名。"), code="signature_invalid") from None


def _work_started_once(ticket) -> bool:
    from baoxiu.tickets.choices import EventType

    return ticket.events.filter(type=EventType.WORK_STARTED).exists()


def lock_opening_record_save(
    *,
    ticket,
    actor,
    id_number: str | None = None,
    id_checked: bool | None = None,
    id_consent: bool | None = None,
    residence_photo=None,
    witness_kind: str | None = None,
    witness_name: str | None = None,
    police_reference: str | None = None,
    signature=None,
    now: datetime | None = None,
) -> LockOpeningRecord:
    """Fill in (part of) the register record of a lock-opening job; returns it.

    Only the job's own technician, between acceptance and the start of work.
    Arguments left as None keep what is recorded. An ID number is refused on a
    job that is not lock opening (``id_number_not_allowed``), where the city's
    policy does not ask for one, and without the customer's separate consent.
    Every value is checked before anything is written. When the record becomes
    complete it gets its deletion date and a timeline line (开锁登记完成).
    """
    now = now or timezone.now()
    if id_number:
        id_number_refuse_unless_lock_opening(ticket)
    if not ticket.fault_type.lock_opening:
        raise ValidationFailed(_("该工单不是开锁业务，无需开锁登记。"), code="not_lock_opening")
    if not is_own_job(actor, ticket):
        raise PermissionDenied(_("只有该工单的师傅可以填写开锁登记。"))
    if ticket.status not in REGISTRABLE or _work_started_once(ticket):
        # The register records the opening that happened: once work has started
        # (even if the ticket is reopened later) it is never edited again.
        raise IllegalTransition(
            _("开锁登记须在接单后、开始开锁前填写。"), code="lock_opening_record_frozen"
        )
    record = LockOpeningRecord.objects.filter(ticket=ticket).first()
    if record is None:
        policy = policy_for_ticket(ticket)
        record = LockOpeningRecord(
            ticket=ticket,
            policy=policy if policy.pk else None,
            policy_name=policy.name,
            requires_id_check=policy.requires_id_check,
            requires_residence_proof=policy.requires_residence_proof,
            witness_rule=policy.witness_rule,
            retention_days=policy.retention_days,
            created_at=now,
        )
    changed: dict = {}
    if id_consent:
        changed["id_consent_at"] = now
        changed["id_consent_version"] = ID_CONSENT_VERSION
    if id_number:
        if not record.requires_id_check:
            raise ValidationFailed(
                _("当地规定无需登记身份证号，请勿采集。"), code="id_number_not_required"
            )
        if not (record.id_consent_at or id_consent):
            raise ValidationFailed(
                _("采集身份证号前须取得客户的单独同意。"), code="id_consent_required"
            )
        value = normalize_resident_id(id_number)
        changed["id_number"] = value
        changed["id_number_masked"] = mask_resident_id(value)
    if id_checked is not None:
        changed["id_checked"] = bool(id_checked)
    if witness_kind is not None:
        if witness_kind not in ("", *WitnessKind.values):
            raise ValidationFailed(_("请选择见证方式。"), code="witness_kind_invalid")
        changed["witness_kind"] = witness_kind
    if witness_name is not None:
        witness_name = witness_name.strip()
        if len(witness_name) > 30:
            raise ValidationFailed(_("见证人姓名不能超过30个字。"), code="witness_name_too_long")
        changed["witness_name"] = witness_name
    if police_reference is not None:
        police_reference = police_reference.strip()
        if len(police_reference) > 40:
            raise ValidationFailed(_("备案编号不能超过40个字。"), code="police_reference_too_long")
        changed["police_reference"] = police_reference
    if isinstance(signature, str):
        signature = signature_from_data_url(signature)
    stored = []
    try:
        if residence_photo is not None:
            image = image_store(upload=residence_photo, folder=f"lockopening/{ticket.code}")
            stored.append(image.name)
            changed["residence_proof_file"] = image.name
        if signature is not None:
            image = image_store(upload=signature, folder=f"lockopening/{ticket.code}")
            stored.append(image.name)
            changed["witness_signature_file"] = image.name
        replaced = [
            getattr(record, field)
            for field in ("residence_proof_file", "witness_signature_file")
            if field in changed and getattr(record, field)
        ]
        with transaction.atomic():
            for field, value in changed.items():
                setattr(record, field, value)
            record.recorded_by = actor
            record.updated_at = now
            became_complete = record.completed_at is None and not lock_opening_missing(record)
            if became_complete:
                record.completed_at = now
            record.purge_after = (record.completed_at or record.created_at) + timedelta(
                days=record.retention_days
            )
            record.save()
            if became_complete:
                ticket_note_event(
                    ticket=ticket,
                    event_type=EventType.LOCK_REGISTERED,
                    actor=actor,
                    data={"policy": record.policy_name},
                )
            for name in replaced:
                transaction.on_commit(lambda name=name: image_delete(name))
    except Exception:
        for name in stored:
            image_delete(name)
        raise
    return record


def lock_opening_records_delete(queryset, *, files_on_commit: bool = False) -> int:
    """Delete these register records, then their images; returns how many went.

    Inside a larger transaction (an erasure, the retention job) pass
    ``files_on_commit`` so the images go only if the deletion is committed."""
    deleted_count = 0
    for record in list(queryset):
        with transaction.atomic():
            deleted, _rows = LockOpeningRecord._base_manager.filter(pk=record.pk).delete()
        if deleted:
            deleted_count += 1
            for name in (record.residence_proof_file, record.witness_signature_file):
                if files_on_commit:
                    transaction.on_commit(lambda name=name: image_delete(name))
                else:
                    image_delete(name)
    return deleted_count


def lock_opening_records_purge(*, now: datetime | None = None) -> int:
    """Delete register records (and their images) kept past their policy's period,
    storage-only ones included (an erased customer's entries)."""
    now = now or timezone.now()
    return lock_opening_records_delete(LockOpeningRecord._base_manager.filter(purge_after__lte=now))
