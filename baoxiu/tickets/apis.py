"""Ticket endpoints of JSON API v1.

``public_router``: reporting a fault and tracking it with the customer's link.
``staff_router``: the scoped list, detail and status changes for staff.
Customer names and phone numbers leave here masked, for every caller.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja.responses import Status

from baoxiu.accounts.choices import Role
from baoxiu.accounts.models import User
from baoxiu.accounts.permissions import api_permission
from baoxiu.api.auth import caller_or_none, staff_auth
from baoxiu.api.schemas import MAX_ID, CodeNameOut, PageParams, error_responses
from baoxiu.catalog.choices import Priority
from baoxiu.catalog.selectors import fault_types_active, lock_models_active
from baoxiu.core.errors import ConcurrentUpdate, PermissionDenied, ValidationFailed
from baoxiu.core.validators import mask_mobile, mask_name
from baoxiu.privacy.bindings import contact_number_for_technician
from baoxiu.privacy.notice import NOTICE_VERSION
from baoxiu.tickets.choices import TicketChannel, TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.selectors import (
    TicketFilters,
    access_ticket,
    ticket_by_tracking,
    ticket_list,
    ticket_public_timeline,
    ticket_timeline,
)
from baoxiu.tickets.services import (
    MAX_ADDRESS,
    MAX_DESCRIPTION,
    MAX_NAME,
    TicketRequest,
    ticket_create,
)
from baoxiu.tickets.transitions import ACTIONS, actions_available, can_perform, ticket_transition
from baoxiu.workforce.selectors import technicians_for_assignment

public_router = Router(tags=["报修与查询（公开）"])
staff_router = Router(auth=staff_auth, tags=["工单（员工）"])


# ---- schemas -----------------------------------------------------------------


class TicketCreateIn(Schema):
    name: str = Field(..., max_length=MAX_NAME, description="联系人姓名")
    phone: str = Field(..., max_length=30, description="中国大陆手机号")
    address: str = Field(..., max_length=MAX_ADDRESS, description="上门地址")
    fault_type: str = Field(..., max_length=40, description="故障类型代码")
    lock_model: str | None = Field(None, max_length=40, description="锁具型号代码")
    description: str = Field("", max_length=MAX_DESCRIPTION, description="问题描述")
    area_name: str = Field("", max_length=100, description="所在区县，如“深圳市南山区”")
    channel: TicketChannel | None = Field(
        None, description="来源；默认 api，电话报修（phone）仅限员工登记"
    )
    consent: bool = Field(
        False, description="报修人已阅读并同意《个人信息保护说明》（必须为 true）"
    )


class TicketCreatedOut(Schema):
    code: str
    tracking_token: str
    tracking_url: str
    status: str
    created_at: datetime


class TechnicianPublicOut(Schema):
    name: str = Field(..., description="师傅姓名")
    certificate_no: str = Field(..., description="上岗证编号，可用于核验身份")
    outlet: str
    rating_average: str | None = Field(None, description="平均评分（1–5，一位小数），无评价为空")
    rating_count: int = Field(0, description="评价条数")


class PositionOut(Schema):
    distance_km: str = Field(..., description="距客户地址的大致距离（按0.5公里取整）")
    direction: str = Field(..., description="相对客户地址的方位（八方位）")
    minutes_ago: int


class TimelineEntryOut(Schema):
    type: str
    label: str
    at: datetime
    from_status: str
    to_status: str


class TicketTrackOut(Schema):
    code: str
    status: str
    status_label: str
    priority: str
    priority_label: str
    fault_type: CodeNameOut
    customer_name: str
    customer_phone: str
    technician: TechnicianPublicOut | None
    eta: datetime | None = Field(None, description="预计到达时间（派单后、到达前）")
    technician_position: PositionOut | None = Field(
        None, description="师傅在路上时的大致位置（不含坐标）"
    )
    created_at: datetime
    timeline: list[TimelineEntryOut]


class TechnicianOut(Schema):
    id: int
    name: str
    certificate_no: str
    outlet: str


class TicketListItemOut(Schema):
    code: str
    status: str
    status_label: str
    priority: str
    priority_label: str
    channel: str
    fault_type: CodeNameOut
    customer_name: str
    customer_phone: str
    area_name: str
    technician: TechnicianOut | None
    created_at: datetime
    updated_at: datetime


class TicketPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[TicketListItemOut]


class ActionOut(Schema):
    name: str
    label: str
    needs_reason: bool
    needs_technician: bool


class StaffTimelineEntryOut(TimelineEntryOut):
    actor: str
    note: str


class AddressOut(Schema):
    area_name: str
    text: str


class ContactNumberOut(Schema):
    available: bool = Field(..., description="是否有可拨打的隐私号")
    number: str = Field(..., description="隐私号（虚拟号码）；不可用时为空，绝不返回客户真实号码")
    message: str


class TicketDetailOut(Schema):
    code: str
    version: int
    status: str
    status_label: str
    priority: str
    priority_label: str
    channel: str
    channel_label: str
    fault_type: CodeNameOut
    lock_model: CodeNameOut | None
    description: str
    customer_name: str
    customer_phone: str
    address: AddressOut
    technician: TechnicianOut | None
    created_at: datetime
    updated_at: datetime
    assigned_at: datetime | None
    accepted_at: datetime | None
    arrived_at: datetime | None
    completed_at: datetime | None
    closed_at: datetime | None
    cancelled_at: datetime | None
    actions: list[ActionOut]
    timeline: list[StaffTimelineEntryOut]
    contact_number: ContactNumberOut | None = Field(
        None, description="师傅联系客户用的隐私号（仅对师傅返回）"
    )


class TicketFiltersIn(PageParams):
    status: TicketStatus | None = None
    priority: Priority | None = None
    q: str = Field("", max_length=50, description="工单号或客户手机号")
    technician: int | None = Field(None, ge=1, le=MAX_ID, description="师傅 id")
    unassigned: bool = Field(False, description="只看未派单的工单")


class TransitionIn(Schema):
    action: str = Field(..., max_length=30, description="操作名称，见工单详情的 actions")
    note: str = Field(
        "", max_length=500, description="备注；拒单、撤回、取消、挂起、重开须填写原因"
    )
    technician_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="派单（assign）时指定的师傅 id"
    )
    expected_version: int | None = Field(
        None, description="客户端看到的工单版本；与当前版本不同则拒绝（409 concurrent_update）"
    )


# ---- public endpoints ----------------------------------------------------------


@public_router.post(
    "/tickets",
    response={
        201: TicketCreatedOut,
        200: TicketCreatedOut,
        **error_responses(400, 403, 415, 422, 429),
    },
    summary="报修：创建工单",
    description=(
        "匿名即可调用（客户端、电话系统）。带 Idempotency-Key 重试时返回同一工单（200）；"
        "同一个 key 配不同的请求内容返回 422 idempotency_key_reused。"
    ),
)
def ticket_create_api(
    request,
    payload: TicketCreateIn,
    idempotency_key: str = Header(
        "", alias="Idempotency-Key", description="客户端生成的唯一值，重试时原样带上"
    ),
):
    caller = caller_or_none(request)
    if not payload.consent:
        raise ValidationFailed(
            _("请先阅读并同意《个人信息保护说明》（consent 须为 true）。"), code="consent_required"
        )
    channel = payload.channel or TicketChannel.API
    if channel == TicketChannel.PHONE and caller is None:
        raise PermissionDenied(_("电话报修只能由客服登记。"))
    ticket_request = TicketRequest(
        name=payload.name,
        phone=payload.phone,
        address_text=payload.address,
        fault_type=_catalog_entry(fault_types_active(), payload.fault_type, "fault_type"),
        lock_model=(
            _catalog_entry(lock_models_active(), payload.lock_model, "lock_model")
            if payload.lock_model
            else None
        ),
        description=payload.description,
        area_name=payload.area_name,
        channel=channel,
        consent_version=NOTICE_VERSION,
    )
    ticket, created = ticket_create(
        request=ticket_request,
        created_by=caller,
        idempotency_key=idempotency_key,
        # A staff member's keys cannot collide with anyone else's.
        idempotency_scope=f"api:user:{caller.pk}" if caller else "api",
        # Anonymous reports are rate-limited; staff and integrations are not.
        public_client_ip=None if caller else request.META.get("REMOTE_ADDR", ""),
    )
    return Status(201 if created else 200, _created_out(ticket))


@public_router.get(
    "/tickets/{code}",
    response={200: TicketTrackOut, **error_responses(404, 422)},
    summary="查询工单进度（凭查询令牌）",
)
def ticket_track_api(request, code: str, token: str = Query(..., max_length=64)):
    ticket = ticket_by_tracking(code, token)
    return _track_out(ticket)


class SlotOut(Schema):
    start: datetime
    end: datetime
    available: bool


class AppointmentIn(Schema):
    start: datetime = Field(..., description="所选时段的开始时间（取自 slots 接口）")


class AppointmentOut(Schema):
    code: str
    appointment_start: datetime
    appointment_end: datetime


@public_router.get(
    "/tickets/{code}/slots",
    response={200: list[SlotOut], **error_responses(404, 422)},
    summary="可预约的上门时段（凭查询令牌）",
)
def ticket_slots_api(request, code: str, token: str = Query(..., max_length=64)):
    from baoxiu.dispatch.appointments import bookable_slots

    ticket = ticket_by_tracking(code, token)
    return [
        {"start": _local(s.start), "end": _local(s.end), "available": s.available}
        for s in bookable_slots(ticket)
    ]


@public_router.post(
    "/tickets/{code}/appointment",
    response={200: AppointmentOut, **error_responses(400, 404, 409, 415, 422)},
    summary="预约上门时段（凭查询令牌）",
)
def ticket_appointment_api(
    request, code: str, payload: AppointmentIn, token: str = Query(..., max_length=64)
):
    from baoxiu.feedback.services import appointment_change_by_customer

    ticket = ticket_by_tracking(code, token)
    if payload.start.tzinfo is None:
        raise ValidationFailed(_("时间须带时区。"), code="invalid_slot")
    # Moving a booked window follows the customer reschedule policy (baoxiu.feedback).
    ticket = appointment_change_by_customer(ticket=ticket, start=payload.start)
    return {
        "code": ticket.code,
        "appointment_start": _local(ticket.appointment_start),
        "appointment_end": _local(ticket.appointment_end),
    }


# ---- staff endpoints -------------------------------------------------------------


@staff_router.get(
    "/tickets",
    response={200: TicketPageOut, **error_responses(401, 403, 422)},
    summary="工单列表（按角色限定范围）",
)
@api_permission("ticket.view")
def ticket_list_api(request, filters: Query[TicketFiltersIn]):
    tickets = ticket_list(
        user=request.auth,
        filters=TicketFilters(
            status=filters.status or "",
            priority=filters.priority or "",
            query=filters.q,
            technician_id=filters.technician,
            unassigned_only=filters.unassigned,
        ),
    )
    page = tickets[filters.offset : filters.offset + filters.limit]
    return {
        "count": tickets.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [_list_item_out(ticket) for ticket in page],
    }


@staff_router.get(
    "/tickets/{code}",
    response={200: TicketDetailOut, **error_responses(401, 403, 404)},
    summary="工单详情（含当前用户可执行的操作）",
)
@api_permission("ticket.view")
def ticket_detail_api(request, code: str):
    ticket = access_ticket(request.auth, code)
    return _detail_out(ticket, request.auth)


@staff_router.post(
    "/tickets/{code}/transitions",
    response={200: TicketDetailOut, **error_responses(400, 401, 403, 404, 409, 415, 422)},
    summary="执行工单操作（派单、接单、完工等）",
)
@api_permission("ticket.act")
def ticket_transition_api(request, code: str, payload: TransitionIn):
    user = request.auth
    ticket = access_ticket(user, code)
    if payload.expected_version is not None and payload.expected_version != ticket.version:
        raise ConcurrentUpdate(_("工单已被他人更新，请刷新后重试。"))
    technician = None
    if payload.technician_id is not None:
        # Unknown or off-duty: passed on as None, and ``assign`` refuses it.
        technician = technicians_for_assignment().filter(pk=payload.technician_id).first()
    ticket = ticket_transition(
        ticket=ticket,
        action=payload.action,
        actor=user,
        note=payload.note,
        technician=technician,
    )
    # The caller's own change is shown even when it takes the ticket out of their
    # view (a technician declining a job).
    return _detail_out(ticket, user)


# ---- helpers -----------------------------------------------------------------------


def _catalog_entry(queryset, code: str, field: str):
    """The active catalogue entry with this code; unknown or retired codes are a 422."""
    entry = queryset.filter(code=code).first()
    if entry is None:
        message = _("没有这个代码，或已停用：%(code)s。") % {"code": code}
        raise ValidationFailed(message, details={field: message})
    return entry


def _local(moment: datetime | None) -> datetime | None:
    return timezone.localtime(moment) if moment else None


def _created_out(ticket: Ticket) -> dict:
    return {
        "code": ticket.code,
        "tracking_token": ticket.tracking_token,
        "tracking_url": ticket.tracking_url(),
        "status": ticket.status,
        "created_at": _local(ticket.created_at),
    }


def _code_name(entry) -> dict | None:
    return {"code": entry.code, "name": entry.name} if entry else None


def _common_fields(ticket: Ticket) -> dict:
    return {
        "code": ticket.code,
        "status": ticket.status,
        "status_label": ticket.get_status_display(),
        "priority": ticket.priority,
        "priority_label": ticket.get_priority_display(),
        "fault_type": _code_name(ticket.fault_type),
        "customer_name": mask_name(ticket.customer.name),
        "customer_phone": mask_mobile(ticket.customer.phone),
        "created_at": _local(ticket.created_at),
    }


def _technician_out(ticket: Ticket) -> dict | None:
    tech = ticket.technician
    if tech is None:
        return None
    return {
        "id": tech.pk,
        "name": tech.name,
        "certificate_no": tech.certificate_no,
        "outlet": tech.outlet.name,
    }


def _timeline_entry(event) -> dict:
    return {
        "type": event.type,
        "label": event.get_type_display(),
        "at": _local(event.created_at),
        "from_status": event.from_status,
        "to_status": event.to_status,
    }


def _track_out(ticket: Ticket) -> dict:
    from baoxiu.dispatch.assignment import ticket_eta
    from baoxiu.dispatch.selectors import technician_approximate_position
    from baoxiu.feedback.selectors import technician_rating_summary

    tech = ticket.technician
    rating = technician_rating_summary(tech) if tech else None
    position = technician_approximate_position(ticket)
    eta = ticket_eta(ticket)
    return {
        **_common_fields(ticket),
        # The customer checks the person at the door against this card: the
        # technician's name and certificate number are shown whole (they are
        # staff, verifiable on the public channel), the customer's own are not.
        "technician": (
            {
                "name": tech.name,
                "certificate_no": tech.certificate_no,
                "outlet": tech.outlet.name,
                "rating_average": str(rating.average) if rating.average is not None else None,
                "rating_count": rating.count,
            }
            if tech
            else None
        ),
        "eta": _local(eta) if eta else None,
        "technician_position": (
            {
                "distance_km": str(position.distance_km),
                "direction": position.direction,
                "minutes_ago": position.minutes_ago,
            }
            if position
            else None
        ),
        # Internal notes and who acted stay with staff.
        "timeline": [_timeline_entry(event) for event in ticket_public_timeline(ticket)],
    }


def _list_item_out(ticket: Ticket) -> dict:
    return {
        **_common_fields(ticket),
        "channel": ticket.channel,
        "area_name": ticket.address.area_name,
        "technician": _technician_out(ticket),
        "updated_at": _local(ticket.updated_at),
    }


def _actions_out(user: User, ticket: Ticket) -> list[dict]:
    # ``actions_available`` leaves out assign: it needs a technician chosen as well.
    allowed = {action.name for action in actions_available(user, ticket)}
    if can_perform(user, ticket, "assign"):
        allowed.add("assign")
    return [
        {
            "name": action.name,
            "label": str(action.label),
            "needs_reason": action.needs_reason,
            "needs_technician": action.name == "assign",
        }
        for action in ACTIONS.values()
        if action.name in allowed
    ]


def _contact_number_out(ticket: Ticket, user: User) -> dict | None:
    # Technicians reach the customer through a privacy number only (baoxiu.privacy.bindings).
    if user.role != Role.TECHNICIAN:
        return None
    contact = contact_number_for_technician(ticket=ticket)
    return {"available": contact.available, "number": contact.number, "message": contact.message}


def _detail_out(ticket: Ticket, user: User) -> dict:
    return {
        **_common_fields(ticket),
        "version": ticket.version,
        "channel": ticket.channel,
        "channel_label": ticket.get_channel_display(),
        "lock_model": _code_name(ticket.lock_model),
        "description": ticket.description,
        "address": {"area_name": ticket.address.area_name, "text": ticket.address.text},
        "technician": _technician_out(ticket),
        "updated_at": _local(ticket.updated_at),
        "assigned_at": _local(ticket.assigned_at),
        "accepted_at": _local(ticket.accepted_at),
        "arrived_at": _local(ticket.arrived_at),
        "completed_at": _local(ticket.completed_at),
        "closed_at": _local(ticket.closed_at),
        "cancelled_at": _local(ticket.cancelled_at),
        "actions": _actions_out(user, ticket),
        "contact_number": _contact_number_out(ticket, user),
        "timeline": [
            {**_timeline_entry(event), "actor": event.actor_label, "note": event.note}
            for event in ticket_timeline(ticket)
        ],
    }
