"""Writes on quotes: build and revise, the customer's decision, payment.

A quote version is never changed after it is written; every revision is a new
version with a reason that supersedes a pending one and needs the customer's
approval again. Work starts and completes only on an approved latest version
(``guards.py``), and the bill is exactly that version's customer total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from baoxiu.areas import resolver
from baoxiu.core.crypto import keyring
from baoxiu.core.errors import (
    ConcurrentUpdate,
    IllegalTransition,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from baoxiu.core.otp import otp_issue, otp_verify
from baoxiu.core.queue import enqueue
from baoxiu.core.ratelimit import allow
from baoxiu.notifications.models import Notification
from baoxiu.pricing.calculator import (
    Calculation,
    LineRequest,
    calculate,
    distance_km,
    price_book,
    version_in_force,
)
from baoxiu.pricing.models import LockSerial
from baoxiu.pricing.selectors import lock_serial_by_number
from baoxiu.quotes.choices import DecisionChannel, PaymentMethod, QuoteStatus
from baoxiu.quotes.models import Payment, Quote, QuoteLine, TicketLock
from baoxiu.quotes.payments import payment_provider
from baoxiu.quotes.payments.base import PaymentFailed
from baoxiu.tickets.choices import EventType, TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.services import ticket_event_record

OTP_PURPOSE = "quote_decision"
OTP_SEAL_CONTEXT = "quotes.sms.code"
QUOTABLE = (TicketStatus.ON_SITE, TicketStatus.IN_PROGRESS)
MAX_REASON = 300
# Each resend texts the customer: at most this many per ticket per hour
# (the code sent with a new version does not count).
CODE_RESENDS_PER_HOUR = 3
CUSTOMER_LABEL = _l("客户")


def otp_subject(quote: Quote) -> str:
    return f"quote:{quote.pk}"


def _require_own_job(ticket: Ticket, actor) -> None:
    tech = getattr(actor, "technician", None) if actor is not None else None
    if tech is None or ticket.technician_id != tech.pk:
        raise PermissionDenied(_("只有该工单的上门师傅可以报价。"))


def latest_quote(ticket: Ticket) -> Quote | None:
    return ticket.quotes.order_by("-number").first()


def ticket_division_code(ticket: Ticket) -> str:
    address = ticket.address
    return address.division_id or address.area_code or ""


def _address_point(ticket: Ticket) -> tuple[float, float] | None:
    address = ticket.address
    if address.latitude is not None and address.longitude is not None:
        return float(address.latitude), float(address.longitude)
    division = (
        resolver.division(ticket_division_code(ticket)) if ticket_division_code(ticket) else None
    )
    if division is not None and division.point is not None:
        lon, lat = division.point
        return lat, lon
    return None


def _base_point(ticket: Ticket) -> tuple[float, float] | None:
    tech = ticket.technician
    if tech is None:
        return None
    return float(tech.home_latitude), float(tech.home_longitude)


def ticket_serial(ticket: Ticket) -> LockSerial | None:
    record = TicketLock.objects.select_related("serial__lock_model").filter(ticket=ticket).first()
    return record.serial if record else None


def ticket_in_warranty(ticket: Ticket) -> bool:
    """Whether the ticket's lock (by linked serial) was in warranty on the day it was reported."""
    serial = ticket_serial(ticket)
    return bool(serial and serial.in_warranty(timezone.localtime(ticket.created_at).date()))


def quote_calculate(*, ticket: Ticket, requests: list[LineRequest]) -> Calculation:
    """Price ``requests`` for this ticket with the price list in force now in its division."""
    version = version_in_force()
    if version is None:
        raise ValidationFailed(_("当前没有生效的价目表，无法报价。"), code="no_price_list")
    return calculate(
        book=price_book(version, ticket_division_code(ticket)),
        requests=requests,
        at=ticket.arrived_at or timezone.now(),
        in_warranty=ticket_in_warranty(ticket),
        km=distance_km(_base_point(ticket), _address_point(ticket)),
        lock_model_id=ticket.lock_model_id,
    )


def ticket_serial_link(*, ticket: Ticket, serial: str, actor) -> TicketLock:
    """Record which lock (by serial number) this ticket is about.

    Preconditions: the technician's own job, on site or in progress, no
    payment yet; the serial is known and of the ticket's lock model if that
    is set. A later quote version is priced with the warranty it gives.
    """
    _require_own_job(ticket, actor)
    if ticket.status not in QUOTABLE:
        raise IllegalTransition(_("到达现场后才能登记锁具序列号。"), code="quote_not_allowed")
    record = lock_serial_by_number(serial)
    if record is None:
        raise ValidationFailed(_("没有找到该序列号，请核对。"), code="serial_unknown")
    if ticket.lock_model_id and record.lock_model_id != ticket.lock_model_id:
        raise ValidationFailed(
            _("序列号对应型号为“%(model)s”，与工单登记的型号不符。")
            % {"model": record.lock_model.name},
            code="serial_model_mismatch",
        )
    with transaction.atomic():
        link, _created = TicketLock.objects.update_or_create(
            ticket=ticket, defaults={"serial": record, "linked_by": actor}
        )
    return link


def quote_submit(*, ticket: Ticket, actor, requests: list[LineRequest], reason: str = "") -> Quote:
    """Write a new quote version for the customer to approve.

    Preconditions: the assigned technician, on site or in progress, not yet
    paid; every line from the price list in force (no price above it) or
    free text with a reason; a reason for every version after the first.
    Side effects: a pending earlier version is superseded; a one-time code
    is issued and texted to the customer with the tracking link (outbox row
    plus delivery job, in this transaction).
    """
    _require_own_job(ticket, actor)
    if ticket.status not in QUOTABLE:
        raise IllegalTransition(_("到达现场后才能报价。"), code="quote_not_allowed")
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ValidationFailed(_("原因不能超过300个字。"), code="reason_too_long")
    previous = latest_quote(ticket)
    if (
        previous is not None
        and previous.is_approved
        and Payment.objects.filter(quote=previous).exists()
    ):
        raise IllegalTransition(_("已收款的工单不能再改报价。"), code="already_paid")
    if previous is not None and not reason:
        raise ValidationFailed(_("修改报价须填写原因，并由客户重新确认。"), code="reason_required")
    calc = quote_calculate(ticket=ticket, requests=requests)
    now = timezone.now()
    try:
        with transaction.atomic():
            number = (ticket.quotes.aggregate(m=Max("number"))["m"] or 0) + 1
            if previous is not None and previous.number != number - 1:
                raise ConcurrentUpdate(_("报价已被更新，请刷新后重试。"))
            if previous is not None and previous.is_pending:
                Quote.objects.filter(pk=previous.pk, status=QuoteStatus.PENDING).update(
                    status=QuoteStatus.SUPERSEDED
                )
            quote = Quote.objects.create(
                ticket=ticket,
                number=number,
                price_list=calc.version,
                division_code=calc.division_code,
                serial=ticket_serial(ticket),
                in_warranty=calc.in_warranty,
                total=calc.total,
                customer_total=calc.customer_total,
                manufacturer_total=calc.manufacturer_total,
                has_free_text=any(line.free_text for line in calc.lines),
                reason=reason,
                created_by=actor,
                created_at=now,
            )
            QuoteLine.objects.bulk_create(
                QuoteLine(
                    quote=quote,
                    position=i,
                    kind=line.kind,
                    key=line.key,
                    name=line.name,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    list_price=line.list_price,
                    amount=line.amount,
                    customer_amount=line.customer_amount,
                    manufacturer_amount=line.manufacturer_amount,
                    free_text=line.free_text,
                    reason=line.reason,
                )
                for i, line in enumerate(calc.lines, start=1)
            )
            ticket_event_record(
                ticket=ticket,
                event_type=EventType.QUOTE_SUBMITTED,
                actor=actor,
                note=_("第%(n)d版，合计¥%(total)s，客户应付¥%(pay)s")
                % {"n": number, "total": quote.total, "pay": quote.customer_total},
                data=_quote_data(quote),
                now=now,
            )
            _code_send(quote)
    except IntegrityError as exc:
        raise ConcurrentUpdate(_("报价已被更新，请刷新后重试。")) from exc
    return quote


def _quote_data(quote: Quote) -> dict:
    """What a quote's timeline line carries (no personal data: shown to the customer)."""
    return {
        "quote_number": quote.number,
        "total": str(quote.total),
        "customer_total": str(quote.customer_total),
    }


def _code_send(quote: Quote) -> None:
    """Issue a fresh code for ``quote`` and queue the SMS carrying it.

    The outbox row names only the template; the code travels sealed in the
    job payload and is opened only to send.
    """
    _record, code = otp_issue(purpose=OTP_PURPOSE, subject=otp_subject(quote))
    notification = Notification.objects.create(ticket=quote.ticket, template="quote_ready")
    enqueue(
        "quotes.send_code",
        {
            "notification_id": notification.pk,
            "quote_id": quote.pk,
            "sealed_code": keyring().seal(code, context=OTP_SEAL_CONTEXT),
        },
        dedupe_key=f"quote-code:{notification.pk}",
    )


def quote_code_resend(*, quote: Quote, actor) -> None:
    """Send the customer a new code for the pending latest version (old codes die).

    Each resend texts the customer, so at most ``CODE_RESENDS_PER_HOUR`` per
    ticket per hour; beyond that RateLimited (429) and nothing is sent.
    """
    _require_own_job(quote.ticket, actor)
    _require_open_latest(quote)
    if not allow(
        "quotes.code_resend",
        str(quote.ticket_id),
        limit=CODE_RESENDS_PER_HOUR,
        window=timedelta(hours=1),
    ):
        raise RateLimited(
            _("验证码已重发%(n)d次，请1小时后再试，或请客户在查询页直接确认报价。")
            % {"n": CODE_RESENDS_PER_HOUR},
            code="code_resend_limited",
        )
    with transaction.atomic():
        _code_send(quote)


def _require_open_latest(quote: Quote) -> None:
    if not quote.is_pending:
        raise IllegalTransition(_("该报价已处理，无需再确认。"), code="quote_not_pending")
    if Quote.objects.filter(ticket_id=quote.ticket_id, number__gt=quote.number).exists():
        raise IllegalTransition(_("该报价已被新版本取代。"), code="quote_superseded")


def quote_decide(*, quote: Quote, approve: bool, via: str, code: str = "", actor=None) -> Quote:
    """The customer approves or rejects the pending latest version.

    ``via`` LINK: the customer on their tracking page (the caller checked the
    token). ``via`` CODE: the technician types the code the customer read
    out; only approval is taken this way, and only from the assigned technician.
    A wrong code counts an attempt and changes nothing else.
    """
    if via == DecisionChannel.CODE:
        _require_own_job(quote.ticket, actor)
        if not approve:
            raise ValidationFailed(_("验证码只用于同意报价。"), code="invalid_decision")
    _require_open_latest(quote)
    if via == DecisionChannel.CODE:
        otp_verify(purpose=OTP_PURPOSE, subject=otp_subject(quote), code=code)
    now = timezone.now()
    status = QuoteStatus.APPROVED if approve else QuoteStatus.REJECTED
    with transaction.atomic():
        won = Quote.objects.filter(pk=quote.pk, status=QuoteStatus.PENDING).update(
            status=status, decided_at=now, decided_via=via
        )
        if not won:
            raise ConcurrentUpdate(_("该报价已被处理，请刷新。"))
        ticket_event_record(
            ticket=quote.ticket,
            event_type=EventType.QUOTE_APPROVED if approve else EventType.QUOTE_REJECTED,
            actor=actor,
            # The decision is the customer's; by code the technician typed it in.
            actor_label="" if via == DecisionChannel.CODE else str(CUSTOMER_LABEL),
            note=_("第%(n)d版，客户应付¥%(pay)s（%(via)s）")
            % {
                "n": quote.number,
                "pay": quote.customer_total,
                "via": DecisionChannel(via).label,
            },
            data={**_quote_data(quote), "via": via},
            now=now,
        )
    quote.refresh_from_db()
    return quote


@dataclass(frozen=True)
class PaymentRequest:
    method: str
    amount: Decimal


def payment_record(*, ticket: Ticket, request: PaymentRequest, actor) -> Payment:
    """Collect the final bill through the payment provider and record it.

    Preconditions: the technician's own job, in progress or completed; the latest quote
    approved and not yet paid; the amount equals its customer total exactly
    (the approved quote is the bill). Side effects: one provider call (keyed
    by the quote, so a retry never charges twice) and one Payment row.
    """
    _require_own_job(ticket, actor)
    if ticket.status not in (TicketStatus.IN_PROGRESS, TicketStatus.COMPLETED):
        raise IllegalTransition(_("开始维修后才能收款。"), code="not_payable")
    if request.method not in PaymentMethod.values:
        raise ValidationFailed(_("不支持的支付方式。"), code="invalid_method")
    quote = latest_quote(ticket)
    if quote is None or not quote.is_approved:
        raise IllegalTransition(_("没有客户已同意的报价，不能收款。"), code="quote_not_approved")
    if Payment.objects.filter(quote=quote).exists():
        raise IllegalTransition(_("该工单已收款。"), code="already_paid")
    if request.amount != quote.customer_total:
        raise ValidationFailed(
            _("收款金额须与客户确认的报价一致（¥%(total)s）。") % {"total": quote.customer_total},
            code="amount_mismatch",
            details={"expected": str(quote.customer_total)},
        )
    try:
        result = payment_provider().collect(
            amount=quote.customer_total,
            method=request.method,
            order_reference=f"{ticket.code}-Q{quote.number}",
            idempotency_key=f"quote-{quote.pk}",
        )
    except PaymentFailed as exc:
        raise ValidationFailed(
            _("支付未成功，请重试或换一种方式。"), code="payment_failed"
        ) from exc
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                ticket=ticket,
                quote=quote,
                method=request.method,
                amount=quote.customer_total,
                paid_at=timezone.now(),
                provider=result.provider,
                provider_reference=result.reference,
                recorded_by=actor,
            )
            ticket_event_record(
                ticket=ticket,
                event_type=EventType.PAYMENT_RECORDED,
                actor=actor,
                note=_("¥%(amount)s，%(method)s（第%(n)d版报价）")
                % {
                    "amount": payment.amount,
                    "method": PaymentMethod(payment.method).label,
                    "n": quote.number,
                },
                data={
                    "quote_number": quote.number,
                    "amount": str(payment.amount),
                    "method": payment.method,
                },
                now=payment.paid_at,
            )
    except IntegrityError as exc:
        raise IllegalTransition(_("该工单已收款。"), code="already_paid") from exc
    return payment


def quote_code_deliver(*, notification_id: int, quote_id: int, sealed_code: str) -> None:
    """Text the customer the quote link and code (the ``quotes.send_code`` job)."""
    from baoxiu.accounts.selectors import organisation_profile
    from baoxiu.notifications.choices import DeliveryState
    from baoxiu.notifications.services import notification_send
    from baoxiu.support.sms import official_sms_footer

    notification = (
        Notification.objects.select_related("ticket__customer").filter(pk=notification_id).first()
    )
    quote = Quote.objects.filter(pk=quote_id).first()
    if notification is None or quote is None or notification.state == DeliveryState.SENT:
        return
    org = organisation_profile()
    code = keyring().open(sealed_code, context=OTP_SEAL_CONTEXT)
    text = _(
        "【%(brand)s】工单%(code)s报价（第%(n)d版）应付¥%(total)s，请在查询页确认：%(link)s ；"
        "或将验证码%(otp)s告知上门师傅（10分钟内有效）。"
    ) % {
        "brand": org.brand if org else "baoxiu",
        "code": notification.ticket.code,
        "n": quote.number,
        "total": quote.customer_total,
        "link": notification.ticket.tracking_url(),
        "otp": code,
    }
    notification_send(notification=notification, text=text + official_sms_footer(org))


def quotes_void_on_reopen(*, ticket: Ticket, actor=None) -> int:
    """A reopened ticket goes back to work on a new approval: its open version
    (pending, or approved whether paid or not) no longer allows work.

    The next visit quotes again, even a ¥0 warranty re-visit, and the customer
    approves it. Runs inside the reopen transition. Returns the versions changed.
    """
    quote = latest_quote(ticket)
    if quote is None or quote.status not in (QuoteStatus.PENDING, QuoteStatus.APPROVED):
        return 0
    changed = Quote.objects.filter(
        pk=quote.pk, status__in=(QuoteStatus.PENDING, QuoteStatus.APPROVED)
    ).update(status=QuoteStatus.REOPENED)
    if changed:
        ticket_event_record(
            ticket=ticket,
            event_type=EventType.QUOTE_VOIDED,
            actor=actor,
            note=_("工单重开，第%(n)d版报价不再有效，重新上门须重新报价并经客户同意。")
            % {"n": quote.number},
            data=_quote_data(quote),
        )
    return changed
