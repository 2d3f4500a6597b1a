"""Writes on tickets other than status changes (those live in ``transitions``)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from baoxiu.areas.selectors import address_placement
from baoxiu.catalog.models import FaultType, LockModel
from baoxiu.core.errors import (
    ConcurrentUpdate,
    IdempotencyConflict,
    RateLimited,
    ValidationFailed,
)
from baoxiu.core.queue import enqueue
from baoxiu.core.validators import normalize_mobile
from baoxiu.customers.services import address_create, customer_get_or_create
from baoxiu.tickets.choices import (
    NOTE_EVENTS,
    PUBLIC_NOTE_EVENTS,
    EventType,
    TicketChannel,
    TicketStatus,
)
from baoxiu.tickets.models import IdempotencyRecord, Ticket, TicketCodeSequence, TicketEvent

MAX_DESCRIPTION = 1000
MAX_ADDRESS = 200
MAX_NAME = 30


@dataclass(frozen=True)
class TicketRequest:
    """What a reporter tells us, already parsed into the right types."""

    name: str
    phone: str
    address_text: str
    fault_type: FaultType
    channel: str = TicketChannel.WEB
    description: str = ""
    lock_model: LockModel | None = None
    area_name: str = ""
    area_code: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    priority: str | None = None
    division_code: str = ""  # picked by the user when the address was ambiguous
    # The personal-information notice version the reporter agreed to. Intake
    # edges (report form, agent form, API) require it; internal loaders may not.
    consent_version: str = ""

    def fingerprint(self) -> str:
        """A digest of the request, to tell a true retry from a reused key."""
        body = {
            "name": self.name,
            "phone": self.phone,
            "address": self.address_text,
            "fault": self.fault_type.pk,
            "lock": self.lock_model.pk if self.lock_model else None,
            "description": self.description,
            "area": self.area_name,
            "channel": self.channel,
            "priority": self.priority,
            "division": self.division_code,
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _validate(req: TicketRequest) -> None:
    errors = {}
    if not req.name.strip():
        errors["name"] = _("请填写联系人姓名。")
    elif len(req.name) > MAX_NAME:
        errors["name"] = _("姓名不能超过%(n)d个字。") % {"n": MAX_NAME}
    if not req.address_text.strip():
        errors["address"] = _("请填写上门地址。")
    elif len(req.address_text) > MAX_ADDRESS:
        errors["address"] = _("地址不能超过%(n)d个字。") % {"n": MAX_ADDRESS}
    if len(req.description) > MAX_DESCRIPTION:
        errors["description"] = _("问题描述不能超过%(n)d个字。") % {"n": MAX_DESCRIPTION}
    if not req.fault_type.active:
        errors["fault_type"] = _("该故障类型已停用。")
    if errors:
        raise ValidationFailed(next(iter(errors.values())), details=errors)


def next_ticket_code(now: datetime) -> str:
    """BX + local yymmdd + a per-day number of at least four digits."""
    day = timezone.localdate(now)
    if not TicketCodeSequence.objects.filter(day=day).update(last=F("last") + 1):
        try:
            with transaction.atomic():
                TicketCodeSequence.objects.create(day=day, last=1)
        except IntegrityError:
            TicketCodeSequence.objects.filter(day=day).update(last=F("last") + 1)
    number = TicketCodeSequence.objects.get(day=day).last
    return f"BX{day:%y%m%d}{number:04d}"


def ticket_create(
    *,
    request: TicketRequest,
    created_by=None,
    idempotency_key: str = "",
    idempotency_scope: str = "api",
    public_client_ip: str | None = None,
) -> tuple[Ticket, bool]:
    """Create a ticket for a report; returns ``(ticket, created)``.

    With an ``idempotency_key``, a repeat of the same request returns the
    ticket made the first time (``created`` False), even when the repeats race;
    the same key with a different request raises IdempotencyConflict.
    ``public_client_ip`` marks an anonymous report from the public: it is then
    rate-limited per address and per phone number (RateLimited).
    Side effects: customer and address rows, a CREATED event, SLA clocks, a job
    to start dispatch and a notification to the customer, all in one transaction.
    """
    phone = normalize_mobile(request.phone)
    _validate(request)
    fingerprint = request.fingerprint()
    if idempotency_key:
        if len(idempotency_key) > 100:
            raise ValidationFailed(_("Idempotency-Key 过长。"), code="idempotency_key_invalid")
        previous = _replay(idempotency_scope, idempotency_key, fingerprint)
        if previous is not None:
            return previous, False
    if public_client_ip is not None and not intake_allowed(ip=public_client_ip, phone=phone):
        raise RateLimited(_("提交过于频繁，请稍后再试，或直接拨打服务热线。"))
    try:
        with transaction.atomic():
            record = None
            if idempotency_key:
                record = IdempotencyRecord.objects.create(
                    scope=idempotency_scope, key=idempotency_key, request_hash=fingerprint
                )
            ticket = _create_ticket_rows(request, phone=phone, created_by=created_by)
            if record is not None:
                record.ticket = ticket
                record.save(update_fields=["ticket"])
    except IntegrityError:
        # Another request with the same key committed first.
        previous = (
            _replay(idempotency_scope, idempotency_key, fingerprint) if idempotency_key else None
        )
        if previous is None:
            raise
        return previous, False
    return ticket, True


def intake_allowed(*, ip: str | None, phone: str) -> bool:
    """Public reports are limited per client address and per phone number (per hour).

    A retry of an already-accepted report (same Idempotency-Key) is answered
    before this check, so retries never count against the customer.
    """
    from datetime import timedelta

    from django.conf import settings

    from baoxiu.core.ratelimit import allow

    hour = timedelta(hours=1)
    try:
        phone = normalize_mobile(phone)
    except ValidationFailed:
        phone = ""
    return allow("intake.ip", ip or "", limit=settings.INTAKE_LIMIT_PER_IP, window=hour) and allow(
        "intake.phone", phone, limit=settings.INTAKE_LIMIT_PER_PHONE, window=hour
    )


def _replay(scope: str, key: str, fingerprint: str) -> Ticket | None:
    record = IdempotencyRecord.objects.filter(scope=scope, key=key).select_related("ticket").first()
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise IdempotencyConflict(_("同一个 Idempotency-Key 已用于另一份不同的报修请求。"))
    return record.ticket


def _create_ticket_rows(req: TicketRequest, *, phone: str, created_by) -> Ticket:
    now = timezone.now()
    customer = customer_get_or_create(name=req.name.strip(), phone=phone)
    place = address_placement(
        address_text=req.address_text, area_name=req.area_name, division_code=req.division_code
    )
    if req.division_code and place.status != "ok":
        raise ValidationFailed(_("所选地区不存在。"), code="invalid_division")
    latitude, longitude = req.latitude, req.longitude
    if place.status == "ok" and place.point and latitude is None:
        longitude, latitude = (Decimal(f"{v:.6f}") for v in place.point)
    address = address_create(
        customer=customer,
        text=req.address_text.strip(),
        area_name=place.full_name if place.status == "ok" else req.area_name,
        area_code=place.code if place.status == "ok" else req.area_code,
        division_code=place.code if place.status == "ok" else None,
        latitude=latitude,
        longitude=longitude,
    )
    ticket = Ticket.objects.create(
        code=next_ticket_code(now),
        customer=customer,
        address=address,
        lock_model=req.lock_model,
        fault_type=req.fault_type,
        description=req.description.strip(),
        priority=req.priority or req.fault_type.priority,
        channel=req.channel,
        status=TicketStatus.NEW,
        consent_version=req.consent_version,
        consent_at=now if req.consent_version else None,
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )
    event = TicketEvent.objects.create(
        ticket=ticket,
        type=EventType.CREATED,
        actor=created_by,
        actor_label=str(created_by) if created_by else _("客户"),
        to_status=TicketStatus.NEW,
        data={"channel": req.channel},
        created_at=now,
    )
    # Hook (issue 4): SLA clocks start with the ticket, in the same transaction.
    from baoxiu.dispatch.services import sla_clocks_start

    sla_clocks_start(ticket=ticket, now=now)
    enqueue("tickets.start_dispatch", {"ticket_id": ticket.pk}, dedupe_key=f"dispatch:{ticket.pk}")
    from baoxiu.notifications.services import notify_ticket_event

    notify_ticket_event(ticket=ticket, event=event)
    return ticket


def ticket_event_record(
    *,
    ticket: Ticket,
    event_type: str,
    note: str = "",
    data: dict | None = None,
    now: datetime | None = None,
    actor=None,
    actor_label: str = "",
) -> TicketEvent:
    """Add a line to the timeline that is not a status change (an SLA warning or
    breach, a quote or payment).

    Precondition: ``event_type`` is one of ``NOTE_EVENTS`` (staff only) or
    ``PUBLIC_NOTE_EVENTS`` (the customer sees them too); status changes go through
    ``ticket_transition``. The event is written by ``actor`` (None: the system,
    or who ``actor_label`` names), in the caller's transaction; no notification
    is owed for it.
    """
    if event_type not in NOTE_EVENTS and event_type not in PUBLIC_NOTE_EVENTS:
        raise ValueError(f"{event_type!r} is a status change; use ticket_transition")
    return TicketEvent.objects.create(
        ticket=ticket,
        type=event_type,
        actor=actor,
        actor_label=actor_label or (str(actor) if actor else _("系统")),
        note=note[:500],  # from/to status left empty: nothing changed
        data=data or {},
        created_at=now or timezone.now(),
    )


def _update_guarded(ticket: Ticket, *, now: datetime, **changes) -> None:
    """Change fields other than the status, on the version the caller read (as
    ``ticket_transition`` does), so no write slips past a concurrent change."""
    won = Ticket.objects.filter(pk=ticket.pk, version=ticket.version).update(
        version=F("version") + 1, updated_at=now, **changes
    )
    if not won:
        raise ConcurrentUpdate(_("工单已被他人更新，请刷新后重试。"))


def ticket_appointment_set(
    *, ticket: Ticket, start: datetime, end: datetime, actor=None, actor_label: str = "", data=None
) -> Ticket:
    """Record the visit window booked for a ticket (not a status change).

    Guarded by the version column like a transition, so a booking cannot slip
    past a concurrent change; writes an APPOINTMENT event the customer sees.
    Capacity is the caller's business (``baoxiu.dispatch.appointments``).
    """
    now = timezone.now()
    with transaction.atomic():
        _update_guarded(ticket, now=now, appointment_start=start, appointment_end=end)
        window = f"{timezone.localtime(start):%m-%d %H:%M}–{timezone.localtime(end):%H:%M}"
        TicketEvent.objects.create(
            ticket_id=ticket.pk,
            type=EventType.APPOINTMENT,
            actor=actor,
            actor_label=actor_label or (str(actor) if actor else _("客户")),
            note=window,
            data=data or {},
            created_at=now,
        )
    ticket.refresh_from_db()
    return ticket


def ticket_tracking_reset(*, ticket: Ticket, actor) -> Ticket:
    """Give the ticket a new tracking token: the old link stops working at once
    (a link sent to the wrong number, or forwarded too far)."""
    from baoxiu.tickets.models import new_tracking_token

    with transaction.atomic():
        _update_guarded(ticket, now=timezone.now(), tracking_token=new_tracking_token())
        ticket.refresh_from_db()
        event = TicketEvent.objects.create(
            ticket=ticket,
            type=EventType.TRACKING_RESET,
            actor=actor,
            actor_label=str(actor),
            created_at=timezone.now(),
        )
        from baoxiu.notifications.services import notify_ticket_event

        notify_ticket_event(ticket=ticket, event=event)  # the customer gets the new link
    return ticket
