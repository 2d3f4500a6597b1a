"""Data-subject requests: everything held about a customer, exported or erased.

``subject_export`` gathers the customer's profile, addresses, tickets with
their timelines, the messages sent to them, their privacy-number bindings,
the audit rows about them and what is kept under retention, as one JSON
document. ``subject_erase`` deletes or blanks all of it, except rows a law
says to keep (``baoxiu.privacy.retention``), which become storage-only. The
customer and ticket rows themselves stay, emptied, so the service history
and the figures of the network still add up; nothing in them points back to
the person any more (name, number, ID number, address text, description and
notes are blanked, the phone look-up hash and the tracking token replaced by
random values, coordinates dropped).

Apps that hold more about a customer (chat messages, photos, quotes...) add
their part from their ``AppConfig.ready()``::

    subject_data("chat", export=lambda customer: [...], erase=lambda customer, now: n)

An eraser must skip storage-only rows: ``retention.visible(queryset)``.
Both requests need a reason and leave an audit row.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from baoxiu.accounts.matrix import may
from baoxiu.core.crypto import blind_index
from baoxiu.core.errors import NotFound, PermissionDenied, ValidationFailed
from baoxiu.customers.models import Customer
from baoxiu.customers.services import phone_index_for
from baoxiu.privacy.choices import AuditAction
from baoxiu.privacy.models import AuditEntry, PrivacyNumberBinding
from baoxiu.privacy.retention import retention_restrict, visible

# Who may answer a data-subject request: the desk roles that already search the audit log.
EXPORT_FORMAT = "baoxiu-subject-export/1"
ERASED_INDEX_PREFIX = "erased:"


@dataclass(frozen=True)
class SubjectData:
    name: str
    export: Callable  # (customer) -> JSON-able
    erase: Callable  # (customer, now) -> int rows changed


_SOURCES: dict[str, SubjectData] = {}


def subject_data(name: str, *, export: Callable, erase: Callable) -> SubjectData:
    """Register another app's share of a customer's data for export and erasure."""
    source = SubjectData(name=name, export=export, erase=erase)
    _SOURCES[name] = source
    return source


def may_handle_requests(user) -> bool:
    return may(user, "privacy.export")


def subject_find(*, phone: str = "", ticket_code: str = "") -> Customer:
    """The customer with this phone number, or who reported this ticket."""
    from baoxiu.tickets.models import Ticket

    customer = None
    if phone.strip():
        try:
            index = phone_index_for(phone)
        except ValidationFailed:
            index = None
        customer = Customer.objects.filter(phone_index=index).first() if index else None
    elif ticket_code.strip():
        ticket = Ticket.objects.select_related("customer").filter(code=ticket_code.strip()).first()
        customer = ticket.customer if ticket else None
    if customer is None or customer.phone_index.startswith(ERASED_INDEX_PREFIX):
        raise NotFound(_("没有找到这位客户。"), code="subject_not_found")
    return customer


def _check(actor, reason: str) -> str:
    if not may_handle_requests(actor):
        raise PermissionDenied(_("您的角色不能处理个人信息请求。"))
    reason = (reason or "").strip()
    if not 4 <= len(reason) <= 200:
        raise ValidationFailed(_("请填写处理原因（4到200个字）。"), code="reason_required")
    return reason


def _audit(*, actor, action: str, customer, reason: str, ip=None, now=None) -> None:
    AuditEntry.objects.create(
        at=now or timezone.now(),
        actor=actor,
        action=action,
        object_type="customer",
        object_id=str(customer.pk),
        reason=reason,
        ip=ip,
    )


# ---- export -------------------------------------------------------------------------------


def _iso(moment):
    return timezone.localtime(moment).isoformat() if moment else None


def _ticket_out(ticket) -> dict:
    from baoxiu.notifications.services import render_text

    return {
        "code": ticket.code,
        "status": ticket.get_status_display(),
        "fault_type": ticket.fault_type.name,
        "lock_model": ticket.lock_model.name if ticket.lock_model else None,
        "description": ticket.description,
        "channel": ticket.get_channel_display(),
        "address_id": ticket.address_id,
        "technician": ticket.technician.name if ticket.technician else None,
        "created_at": _iso(ticket.created_at),
        "appointment": [_iso(ticket.appointment_start), _iso(ticket.appointment_end)],
        "completed_at": _iso(ticket.completed_at),
        "closed_at": _iso(ticket.closed_at),
        "cancelled_at": _iso(ticket.cancelled_at),
        "consent": {"version": ticket.consent_version, "at": _iso(ticket.consent_at)},
        "events": [
            {
                "type": event.get_type_display(),
                "at": _iso(event.created_at),
                "from_status": event.from_status,
                "to_status": event.to_status,
                "note": event.note,
            }
            for event in ticket.events.all()
        ],
        "messages": [
            {
                "channel": note.get_channel_display(),
                "state": note.get_state_display(),
                "created_at": _iso(note.created_at),
                "sent_at": _iso(note.sent_at),
                "text": render_text(note),
            }
            for note in visible(ticket.notifications.all())
        ],
        "privacy_numbers": [
            {
                "virtual_number": binding.virtual_number,
                "state": binding.get_state_display(),
                "bound_at": _iso(binding.bound_at),
                "released_at": _iso(binding.released_at),
            }
            for binding in ticket.privacy_numbers.order_by("id")
        ],
    }


def subject_export_data(customer: Customer) -> dict:
    tickets = (
        visible(customer.tickets.all())
        .select_related("fault_type", "lock_model", "technician", "customer")
        .prefetch_related("events")
        .order_by("created_at")
    )
    audit = AuditEntry.objects.filter(object_type="customer", object_id=str(customer.pk))
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(timezone.now()),
        "customer": {
            "id": customer.pk,
            "name": customer.name,
            "phone": customer.phone,
            "id_number": customer.id_number,
            "created_at": _iso(customer.created_at),
        },
        "addresses": [
            {
                "id": address.pk,
                "text": address.text,
                "area_name": address.area_name,
                "area_code": address.area_code,
                "latitude": str(address.latitude) if address.latitude is not None else None,
                "longitude": str(address.longitude) if address.longitude is not None else None,
                "created_at": _iso(address.created_at),
            }
            for address in visible(customer.addresses.all()).order_by("id")
        ],
        "tickets": [_ticket_out(ticket) for ticket in tickets],
        "access_log": [
            {
                "at": _iso(entry.at),
                "by": entry.actor.username,
                "action": entry.get_action_display(),
                "field": entry.field,
                "ticket_code": entry.ticket_code,
                "reason": entry.reason,
            }
            for entry in audit.select_related("actor").order_by("at", "id")
        ],
        **{name: source.export(customer) for name, source in sorted(_SOURCES.items())},
    }


def subject_export(*, customer: Customer, actor, reason: str, ip: str | None = None) -> dict:
    """Everything held about ``customer``, for ``actor``; recorded with ``reason``.

    Raises PermissionDenied for roles other than operations and admin,
    ValidationFailed without a reason (nothing is recorded then).
    """
    reason = _check(actor, reason)
    data = subject_export_data(customer)
    _audit(actor=actor, action=AuditAction.EXPORT, customer=customer, reason=reason, ip=ip)
    return data


# ---- erasure ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Erasure:
    customer_id: int
    tickets: int
    kept: list[dict]  # what stays storage-only, per model


def _erase_core(customer: Customer, now) -> int:
    from baoxiu.core.models import RateLimitHit
    from baoxiu.notifications.models import Notification
    from baoxiu.tickets.models import IdempotencyRecord, Ticket, TicketEvent, new_tracking_token

    changed = 0
    tickets = visible(Ticket.objects.filter(customer=customer))
    ticket_ids = list(tickets.values_list("pk", flat=True))
    changed += visible(Notification.objects.filter(ticket_id__in=ticket_ids)).delete()[0]
    changed += PrivacyNumberBinding.objects.filter(ticket_id__in=ticket_ids).delete()[0]
    changed += IdempotencyRecord.objects.filter(ticket_id__in=ticket_ids).delete()[0]
    changed += visible(TicketEvent.objects.filter(ticket_id__in=ticket_ids)).update(note="")
    for pk in ticket_ids:
        changed += Ticket.objects.filter(pk=pk).update(
            description="",
            tracking_token=new_tracking_token(),
            version=F("version") + 1,
            updated_at=now,
        )
    for address in visible(customer.addresses.all()):
        address.text = ""
        address.latitude = address.longitude = None
        address.save(update_fields=["text", "latitude", "longitude", "updated_at"])
        changed += 1
    # Rate-limit counters keyed by this number (one keyed hash per bucket).
    if customer.phone:
        buckets = RateLimitHit.objects.values_list("bucket", flat=True).distinct()
        keys = [blind_index(customer.phone, purpose=f"ratelimit.{b}") for b in buckets]
        changed += RateLimitHit.objects.filter(key__in=keys).delete()[0]
    customer.name = customer.phone = customer.id_number = ""
    customer.phone_index = ERASED_INDEX_PREFIX + secrets.token_hex(16)
    customer.save(update_fields=["name", "phone", "id_number", "phone_index", "updated_at"])
    return changed + 1


def subject_erase(
    *, customer: Customer, actor, reason: str, ip: str | None = None, now=None
) -> Erasure:
    """Erase ``customer``: delete or blank everything about them except retained rows.

    Preconditions: ``actor`` may handle requests, a reason is given, and none
    of the customer's tickets is still open (finish or cancel them first);
    otherwise a DomainError is raised and nothing changes.
    Side effects, in one transaction: retained rows become storage-only,
    every registered source erases its share, one audit row.
    """
    from baoxiu.tickets.choices import OPEN_STATUSES

    reason = _check(actor, reason)
    if customer.phone_index.startswith(ERASED_INDEX_PREFIX):
        raise NotFound(_("这位客户的信息已删除。"), code="subject_not_found")
    open_codes = list(
        customer.tickets.filter(status__in=OPEN_STATUSES).values_list("code", flat=True)
    )
    if open_codes:
        raise ValidationFailed(
            _("客户还有未结束的工单（%(codes)s），请先完成或取消后再删除。")
            % {"codes": "、".join(open_codes)},
            code="open_tickets",
        )
    now = now or timezone.now()
    with transaction.atomic():
        kept = retention_restrict(customer=customer, now=now)
        tickets = customer.tickets.count()
        for source in _SOURCES.values():
            source.erase(customer, now)
        _erase_core(customer, now)
        _audit(
            actor=actor, action=AuditAction.ERASE, customer=customer, reason=reason, ip=ip, now=now
        )
    return Erasure(customer_id=customer.pk, tickets=tickets, kept=kept)
