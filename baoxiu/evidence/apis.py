"""JSON API for on-site evidence, the lock-opening register and the customer's
actions on the tracking link. Thin: parse, fetch with access checks, call one service."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from baoxiu.accounts.permissions import api_permission
from baoxiu.api.auth import staff_auth
from baoxiu.api.schemas import error_responses
from baoxiu.evidence.choices import OldPartFate, PhotoKind
from baoxiu.evidence.selectors import confirmation_for, parts_for, photos_for
from baoxiu.evidence.services import (
    completion_confirm_by_code,
    completion_confirm_by_customer,
    completion_confirm_by_signature,
    completion_review_resolve,
    part_record,
    photo_add,
)
from baoxiu.feedback.choices import ComplaintKind
from baoxiu.feedback.services import complaint_create, rating_create, ticket_cancel_by_customer
from baoxiu.lockopening.choices import WitnessKind
from baoxiu.lockopening.selectors import lock_opening_missing
from baoxiu.lockopening.services import lock_opening_record_save
from baoxiu.tickets.selectors import access_ticket, ticket_by_tracking

staff_router = Router(auth=staff_auth, tags=["现场凭证与开锁登记（员工）"])
public_router = Router(tags=["客户监督（凭查询令牌）"])


class PhotoOut(Schema):
    id: int
    kind: PhotoKind
    caption: str
    url: str
    created_at: datetime


class PartIn(Schema):
    name: str = Field(..., max_length=100, description="配件名称")
    code: str = Field("", max_length=40, description="配件编码")
    new_serial: str = Field("", max_length=60, description="新件序列号")
    old_serial: str = Field("", max_length=60, description="旧件序列号")
    old_part: OldPartFate = Field(..., description="旧件去向")


class PartOut(Schema):
    id: int
    name: str
    code: str
    new_serial: str
    old_serial: str
    old_part: str
    old_part_label: str


class CodeIn(Schema):
    code: str = Field(..., max_length=10, description="客户查询页上显示的6位完工码")


class SignatureIn(Schema):
    signature: str = Field(
        ..., max_length=1_500_000, description="客户签名，data:image/png;base64,…"
    )


class ConfirmationOut(Schema):
    method: str
    confirmed_at: datetime


class NoteIn(Schema):
    note: str = Field(..., max_length=500)


class LockOpeningIn(Schema):
    id_consent: bool | None = Field(None, description="客户单独同意采集身份证号（仅开锁）")
    id_number: str | None = Field(None, max_length=30, description="18位身份证号（仅开锁工单）")
    id_checked: bool | None = Field(None, description="已核验身份证原件")
    witness_kind: WitnessKind | None = None
    witness_name: str | None = Field(None, max_length=30)
    police_reference: str | None = Field(None, max_length=40)
    signature: str | None = Field(
        None, max_length=1_500_000, description="见证人签名，data:image/png;base64,…"
    )


class LockOpeningOut(Schema):
    policy: str
    id_number_masked: str
    id_checked: bool
    id_consent_at: datetime | None
    residence_proof: bool
    witness_kind: str
    witness_signature: bool
    police_reference: str
    completed_at: datetime | None
    purge_after: datetime
    missing: list[str]


class EvidenceOut(Schema):
    photos: list[PhotoOut]
    parts: list[PartOut]
    confirmation: ConfirmationOut | None


class ComplaintIn(Schema):
    kind: ComplaintKind = ComplaintKind.COMPLAINT
    text: str = Field(..., max_length=1000)


class ComplaintOut(Schema):
    id: int
    kind: str
    created_at: datetime


class CancelIn(Schema):
    reason: str = Field(..., max_length=200)


class TicketStatusOut(Schema):
    code: str
    status: str


class RatingIn(Schema):
    stars: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=500)


class RatingOut(Schema):
    stars: int
    comment: str
    created_at: datetime


# ---- staff ---------------------------------------------------------------------


@staff_router.post(
    "/tickets/{code}/photos",
    response={201: PhotoOut, **error_responses(401, 403, 404, 409, 413, 422)},
    summary="上传现场照片（维修前/维修后，multipart）",
)
@api_permission("evidence.record")
def photo_upload_api(
    request, code: str, kind: Form[PhotoKind], photo: File[UploadedFile], caption: Form[str] = ""
):
    ticket = access_ticket(request.auth, code)
    item = photo_add(ticket=ticket, actor=request.auth, kind=kind, upload=photo, caption=caption)
    return Status(201, _photo_out(item, reverse("evidence:staff_photo", args=[code, item.pk])))


@staff_router.post(
    "/tickets/{code}/parts",
    response={201: PartOut, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    summary="登记更换的配件",
)
@api_permission("evidence.record")
def part_record_api(request, code: str, payload: PartIn):
    ticket = access_ticket(request.auth, code)
    part = part_record(ticket=ticket, actor=request.auth, **payload.dict())
    return Status(201, _part_out(part))


@staff_router.post(
    "/tickets/{code}/completion-code",
    response={200: ConfirmationOut, **error_responses(400, 401, 403, 404, 409, 415, 422, 429)},
    summary="录入客户完工码",
)
@api_permission("completion.code_enter")
def completion_code_api(request, code: str, payload: CodeIn):
    ticket = access_ticket(request.auth, code)
    return completion_confirm_by_code(ticket=ticket, actor=request.auth, code=payload.code)


@staff_router.post(
    "/tickets/{code}/completion-signature",
    response={200: ConfirmationOut, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    summary="客户现场签名确认完工",
)
@api_permission("completion.code_enter")
def completion_signature_api(request, code: str, payload: SignatureIn):
    ticket = access_ticket(request.auth, code)
    return completion_confirm_by_signature(
        ticket=ticket, actor=request.auth, signature=payload.signature
    )


@staff_router.post(
    "/tickets/{code}/review",
    response={200: TicketStatusOut, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    summary="完工审核通过（无客户确认的完工）",
)
@api_permission("completion.review")
def review_resolve_api(request, code: str, payload: NoteIn):
    ticket = access_ticket(request.auth, code)
    completion_review_resolve(ticket=ticket, actor=request.auth, note=payload.note)
    return {"code": ticket.code, "status": ticket.status}


@staff_router.put(
    "/tickets/{code}/lock-opening",
    response={200: LockOpeningOut, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    summary="填写开锁登记（仅开锁工单；身份证号须单独同意）",
)
@api_permission("lockopening.fill")
def lock_opening_api(request, code: str, payload: LockOpeningIn):
    ticket = access_ticket(request.auth, code)
    record = lock_opening_record_save(ticket=ticket, actor=request.auth, **payload.dict())
    return _record_out(record)


@staff_router.post(
    "/tickets/{code}/lock-opening/residence-proof",
    response={200: LockOpeningOut, **error_responses(401, 403, 404, 409, 413, 422)},
    summary="上传居住证明照片（multipart）",
)
@api_permission("lockopening.fill")
def lock_opening_residence_api(request, code: str, photo: File[UploadedFile]):
    ticket = access_ticket(request.auth, code)
    record = lock_opening_record_save(ticket=ticket, actor=request.auth, residence_photo=photo)
    return _record_out(record)


# ---- customer (tracking token) -------------------------------------------------------


@public_router.get(
    "/tickets/{code}/evidence",
    response={200: EvidenceOut, **error_responses(404, 422)},
    summary="现场照片、更换配件与完工确认（凭查询令牌）",
)
def evidence_api(request, code: str, token: str = Query(..., max_length=64)):
    ticket = ticket_by_tracking(code, token)
    confirmation = confirmation_for(ticket)
    return {
        "photos": [
            _photo_out(p, reverse("evidence:customer_photo", args=[code, token, p.pk]))
            for p in photos_for(ticket)
        ],
        "parts": [_part_out(p) for p in parts_for(ticket)],
        "confirmation": confirmation,
    }


@public_router.post(
    "/tickets/{code}/confirmation",
    response={200: ConfirmationOut, **error_responses(400, 404, 409, 415, 422)},
    summary="客户确认完工（凭查询令牌）",
)
def customer_confirm_api(request, code: str, token: str = Query(..., max_length=64)):
    ticket = ticket_by_tracking(code, token)
    return completion_confirm_by_customer(ticket=ticket)


@public_router.post(
    "/tickets/{code}/complaints",
    response={201: ComplaintOut, **error_responses(400, 404, 415, 422, 429)},
    summary="投诉或催办（凭查询令牌）",
)
def complaint_api(request, code: str, payload: ComplaintIn, token: str = Query(..., max_length=64)):
    ticket = ticket_by_tracking(code, token)
    complaint = complaint_create(ticket=ticket, kind=payload.kind, text=payload.text)
    return Status(
        201,
        {"id": complaint.pk, "kind": complaint.kind, "created_at": _local(complaint.created_at)},
    )


@public_router.post(
    "/tickets/{code}/cancel",
    response={200: TicketStatusOut, **error_responses(400, 404, 409, 415, 422)},
    summary="客户取消报修（师傅到达前，凭查询令牌）",
)
def cancel_api(request, code: str, payload: CancelIn, token: str = Query(..., max_length=64)):
    ticket = ticket_by_tracking(code, token)
    ticket = ticket_cancel_by_customer(ticket=ticket, reason=payload.reason)
    return {"code": ticket.code, "status": ticket.status}


@public_router.post(
    "/tickets/{code}/rating",
    response={201: RatingOut, **error_responses(400, 404, 409, 415, 422)},
    summary="评价服务（完工后一次，凭查询令牌）",
)
def rating_api(request, code: str, payload: RatingIn, token: str = Query(..., max_length=64)):
    ticket = ticket_by_tracking(code, token)
    rating = rating_create(ticket=ticket, stars=payload.stars, comment=payload.comment)
    return Status(
        201,
        {"stars": rating.stars, "comment": rating.comment, "created_at": _local(rating.created_at)},
    )


def _local(moment):
    return timezone.localtime(moment) if moment else None


def _photo_out(photo, url: str) -> dict:
    return {
        "id": photo.pk,
        "kind": photo.kind,
        "caption": photo.caption,
        "url": url,
        "created_at": _local(photo.created_at),
    }


def _part_out(part) -> dict:
    return {
        "id": part.pk,
        "name": part.name,
        "code": part.code,
        "new_serial": part.new_serial,
        "old_serial": part.old_serial,
        "old_part": part.old_part,
        "old_part_label": part.get_old_part_display(),
    }


def _record_out(record) -> dict:
    return {
        "policy": record.policy_name,
        "id_number_masked": record.id_number_masked,
        "id_checked": record.id_checked,
        "id_consent_at": _local(record.id_consent_at),
        "residence_proof": bool(record.residence_proof_file),
        "witness_kind": record.witness_kind,
        "witness_signature": bool(record.witness_signature_file),
        "police_reference": record.police_reference,
        "completed_at": _local(record.completed_at),
        "purge_after": _local(record.purge_after),
        "missing": [m.code for m in lock_opening_missing(record)],
    }
