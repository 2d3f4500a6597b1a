"""Writes on job evidence: photos, replaced parts, customer confirmation, desk review."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baoxiu.accounts.matrix import may
from baoxiu.core.errors import IllegalTransition, PermissionDenied, RateLimited, ValidationFailed
from baoxiu.core.ratelimit import allow
from baoxiu.evidence.choices import ConfirmationMethod, OldPartFate, PhotoKind
from baoxiu.evidence.files import image_delete, image_store
from baoxiu.evidence.models import (
    CompletionConfirmation,
    CompletionReview,
    JobPhoto,
    PartReplacement,
)
from baoxiu.evidence.selectors import completion_code
from baoxiu.tickets.choices import EventType, TicketStatus
from baoxiu.tickets.models import Ticket, TicketEvent

# While the technician is at the door: photos and parts are recorded then.
RECORDABLE = (TicketStatus.ON_SITE, TicketStatus.IN_PROGRESS)
MAX_PHOTOS_PER_TICKET = 20
CODE_ATTEMPTS_PER_HOUR = 5


def is_own_job(user, ticket: Ticket) -> bool:
    tech = getattr(user, "technician", None) if user is not None else None
    return tech is not None and ticket.technician_id == tech.pk


def _require_own_job_on_site(user, ticket: Ticket) -> None:
    if not is_own_job(user, ticket):
        raise PermissionDenied(_("只有该工单的师傅可以记录现场凭证。"))
    if ticket.status not in RECORDABLE:
        raise IllegalTransition(
            _("师傅到达现场后、完工前才能记录现场凭证。"), code="evidence_not_recordable"
        )


def ticket_note_event(
    *, ticket: Ticket, event_type: str, actor=None, actor_label="", note="", data=None
):
    """A timeline line that is not a status change, in the caller's transaction."""
    return TicketEvent.objects.create(
        ticket_id=ticket.pk,
        type=event_type,
        actor=actor,
        actor_label=actor_label or (str(actor) if actor else _("系统")),
        note=(note or "")[:500],
        data=data or {},
        created_at=timezone.now(),
    )


def photo_add(*, ticket: Ticket, actor, kind: str, upload, caption: str = "") -> JobPhoto:
    """Store a before/after photo for the technician's own job (on site or in progress).

    The image is checked and re-encoded (``files.image_store``); refused uploads
    write nothing. At most ``MAX_PHOTOS_PER_TICKET`` photos per job."""
    _require_own_job_on_site(actor, ticket)
    if kind not in PhotoKind.values:
        raise ValidationFailed(_("请选择照片类型（维修前或维修后）。"), code="photo_kind_invalid")
    caption = (caption or "").strip()
    if len(caption) > 100:
        raise ValidationFailed(_("照片说明不能超过100个字。"), code="caption_too_long")
    if JobPhoto.objects.filter(ticket=ticket).count() >= MAX_PHOTOS_PER_TICKET:
        raise ValidationFailed(
            _("每张工单最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS_PER_TICKET},
            code="too_many_photos",
        )
    stored = image_store(upload=upload, folder=f"photos/{ticket.code}")
    try:
        with transaction.atomic():
            return JobPhoto.objects.create(
                ticket=ticket,
                kind=kind,
                file_name=stored.name,
                width=stored.width,
                height=stored.height,
                size_bytes=stored.size_bytes,
                sha256=stored.sha256,
                caption=caption,
                uploaded_by=actor,
                created_at=timezone.now(),
            )
    except Exception:
        image_delete(stored.name)  # no orphan file when the row is not written
        raise


PART_LIMITS = {"name": 100, "code": 40, "new_serial": 60, "old_serial": 60}


def part_record(
    *,
    ticket: Ticket,
    actor,
    name: str,
    old_part: str,
    code: str = "",
    new_serial: str = "",
    old_serial: str = "",
) -> PartReplacement:
    """Record a replaced part on the technician's own job (on site or in progress)."""
    _require_own_job_on_site(actor, ticket)
    values = {
        "name": (name or "").strip(),
        "code": (code or "").strip(),
        "new_serial": (new_serial or "").strip(),
        "old_serial": (old_serial or "").strip(),
    }
    if not values["name"]:
        raise ValidationFailed(_("请填写配件名称。"), code="part_name_required")
    for field, limit in PART_LIMITS.items():
        if len(values[field]) > limit:
            raise ValidationFailed(
                _("配件信息过长（最多%(n)d个字）。") % {"n": limit}, code="part_field_too_long"
            )
    if old_part not in OldPartFate.values:
        raise ValidationFailed(_("请选择旧件去向。"), code="old_part_invalid")
    return PartReplacement.objects.create(
        ticket=ticket, old_part=old_part, recorded_by=actor, created_at=timezone.now(), **values
    )


def _confirm(
    ticket: Ticket, method: str, *, actor=None, actor_label: str, signature_file: str = ""
) -> CompletionConfirmation:
    now = timezone.now()
    try:
        with transaction.atomic():
            confirmation = CompletionConfirmation.objects.create(
                ticket=ticket, method=method, confirmed_at=now, signature_file=signature_file
            )
            ticket_note_event(
                ticket=ticket,
                event_type=EventType.CUSTOMER_CONFIRMED,
                actor=actor,
                actor_label=actor_label,
                data={"method": method},
            )
            # Confirmed after a completion that went to review: the review is answered.
            CompletionReview.objects.filter(ticket=ticket, resolved_at__isnull=True).update(
                resolved_at=now, note=_("客户已确认完工")
            )
    except IntegrityError:
        raise ValidationFailed(_("客户已确认过完工。"), code="already_confirmed") from None
    return confirmation


def completion_confirm_by_code(*, ticket: Ticket, actor, code: str) -> CompletionConfirmation:
    """The technician enters the code shown on the customer's tracking page.

    Only on the technician's own job in progress; at most ``CODE_ATTEMPTS_PER_HOUR``
    attempts per ticket (a six-digit code must not be guessable)."""
    if not is_own_job(actor, ticket):
        raise PermissionDenied(_("只有该工单的师傅可以录入完工码。"))
    if ticket.status != TicketStatus.IN_PROGRESS:
        raise IllegalTransition(_("维修中才能录入完工码。"), code="not_in_progress")
    if not allow(
        "evidence.code", ticket.code, limit=CODE_ATTEMPTS_PER_HOUR, window=timedelta(hours=1)
    ):
        raise RateLimited(
            _("完工码错误次数过多，请一小时后再试，或请客户在查询页直接确认。"),
            code="code_attempts_exceeded",
        )
    entered = "".join((code or "").split())
    if not secrets.compare_digest(entered.encode(), completion_code(ticket).encode()):
        raise ValidationFailed(_("完工码不正确，请让客户核对查询页上的完工码。"), code="code_wrong")
    return _confirm(ticket, ConfirmationMethod.CODE, actor=actor, actor_label=str(actor))


def completion_confirm_by_signature(
    *, ticket: Ticket, actor, signature: str
) -> CompletionConfirmation:
    """The customer signs on the technician's phone that the job is done (when
    they cannot read out the code). ``signature`` is the pad's PNG data URL.

    Only on the technician's own job in progress; the image is checked and
    stored privately like a photo; on any refusal nothing is kept."""
    from baoxiu.lockopening.services import signature_from_data_url

    if not is_own_job(actor, ticket):
        raise PermissionDenied(_("只有该工单的师傅可以采集客户签名。"))
    if ticket.status != TicketStatus.IN_PROGRESS:
        raise IllegalTransition(_("维修中才能请客户签名确认。"), code="not_in_progress")
    image = signature_from_data_url(signature or "")
    if image is None:
        raise ValidationFailed(_("请客户在框内签名。"), code="signature_missing")
    if CompletionConfirmation.objects.filter(ticket=ticket).exists():
        raise ValidationFailed(_("客户已确认过完工。"), code="already_confirmed")
    stored = image_store(upload=image, folder=f"signatures/{ticket.code}")
    try:
        return _confirm(
            ticket,
            ConfirmationMethod.SIGNATURE,
            actor=actor,
            actor_label=str(actor),
            signature_file=stored.name,
        )
    except Exception:
        image_delete(stored.name)
        raise


def completion_confirm_by_customer(*, ticket: Ticket) -> CompletionConfirmation:
    """The customer taps "确认完工" on the tracking page (during the work or after it)."""
    if ticket.status not in (TicketStatus.IN_PROGRESS, TicketStatus.COMPLETED):
        raise IllegalTransition(_("维修开始后才能确认完工。"), code="not_confirmable")
    return _confirm(ticket, ConfirmationMethod.CUSTOMER, actor_label=_("客户"))


def completion_review_open(*, ticket: Ticket, reason: str) -> CompletionReview:
    """Put a completed ticket before the desk (in the completion's transaction):
    a review row, an internal timeline note and an alert on the dispatcher board."""
    from baoxiu.dispatch.choices import AlertKind
    from baoxiu.dispatch.models import DispatchAlert

    now = timezone.now()
    review, _created = CompletionReview.objects.update_or_create(
        ticket=ticket,
        defaults={
            "reason": reason[:200],
            "created_at": now,
            "resolved_at": None,
            "resolved_by": None,
            "note": "",
        },
    )
    ticket_note_event(ticket=ticket, event_type=EventType.REVIEW_REQUIRED, note=reason)
    DispatchAlert.objects.create(
        ticket=ticket, kind=AlertKind.COMPLETION_REVIEW, message=reason[:200], created_at=now
    )
    return review


def completion_review_resolve(*, ticket: Ticket, actor, note: str) -> CompletionReview:
    """Desk staff accept a completion that lacks the customer's confirmation
    (e.g. after calling the customer back). A note saying how is required."""
    if not may(actor, "completion.review"):
        raise PermissionDenied(_("只有客服、调度或网点可以审核完工。"))
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("请填写审核说明（如回访结果）。"), code="reason_required")
    if len(note) > 500:
        raise ValidationFailed(_("审核说明不能超过500个字。"), code="reason_too_long")
    now = timezone.now()
    with transaction.atomic():
        won = CompletionReview.objects.filter(ticket=ticket, resolved_at__isnull=True).update(
            resolved_at=now, resolved_by=actor, note=note
        )
        if not won:
            raise IllegalTransition(_("该工单没有待审核的完工。"), code="no_open_review")
        ticket_note_event(ticket=ticket, event_type=EventType.REVIEWED, actor=actor, note=note)
    return CompletionReview.objects.get(ticket=ticket)
