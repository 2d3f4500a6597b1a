"""What a customer can do from the tracking link: complain, cancel, move the
appointment, rate. The link's token is the customer's authority; each service
checks the ticket's state against the policy below and writes nothing when it refuses."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from baoxiu.core.errors import IllegalTransition, RateLimited, ValidationFailed
from baoxiu.core.ratelimit import allow
from baoxiu.evidence.services import ticket_note_event
from baoxiu.feedback.choices import ComplaintKind
from baoxiu.feedback.models import Complaint, Rating
from baoxiu.tickets.choices import EventType, TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ticket_transition

S = TicketStatus
MAX_COMPLAINT = 1000
MAX_REASON = 200
MAX_COMMENT = 500
COMPLAINTS_PER_DAY = 5
# The customer may cancel until the technician is at the door.
CUSTOMER_CANCELLABLE = (S.NEW, S.DISPATCHING, S.ASSIGNED, S.ACCEPTED, S.EN_ROUTE)
# Moving a booked visit: not in the last hours before it, and not endlessly.
RESCHEDULE_CUTOFF = timedelta(hours=2)
MAX_RESCHEDULES = 2
RATEABLE = (S.COMPLETED, S.CLOSED)
CUSTOMER = _l("客户")


def customer_may_cancel(ticket: Ticket) -> bool:
    if ticket.status == S.ON_HOLD:
        return ticket.status_before_hold in CUSTOMER_CANCELLABLE
    return ticket.status in CUSTOMER_CANCELLABLE


def complaint_create(*, ticket: Ticket, kind: str, text: str) -> Complaint:
    """Record a complaint or escalation, add it to the timeline and alert the desk
    (an alert on the dispatcher board). At most ``COMPLAINTS_PER_DAY`` per ticket."""
    from baoxiu.dispatch.choices import AlertKind
    from baoxiu.dispatch.models import DispatchAlert

    text = (text or "").strip()
    if kind not in ComplaintKind.values:
        raise ValidationFailed(_("请选择投诉类型。"), code="complaint_kind_invalid")
    if not text:
        raise ValidationFailed(_("请填写投诉内容。"), code="complaint_text_required")
    if len(text) > MAX_COMPLAINT:
        raise ValidationFailed(
            _("投诉内容不能超过%(n)d个字。") % {"n": MAX_COMPLAINT}, code="complaint_too_long"
        )
    if not allow(
        "feedback.complaint", ticket.code, limit=COMPLAINTS_PER_DAY, window=timedelta(days=1)
    ):
        raise RateLimited(_("今天已提交多次投诉，客服会尽快处理，也可拨打服务热线。"))
    now = timezone.now()
    label = ComplaintKind(kind).label
    with transaction.atomic():
        complaint = Complaint.objects.create(ticket=ticket, kind=kind, text=text, created_at=now)
        ticket_note_event(
            ticket=ticket,
            event_type=EventType.COMPLAINT,
            actor_label=str(CUSTOMER),
            note=text,
            data={"complaint_id": complaint.pk, "kind": kind},
        )
        DispatchAlert.objects.create(
            ticket=ticket,
            kind=AlertKind.COMPLAINT,
            message=f"{label}：{text}"[:200],
            created_at=now,
        )
    return complaint


def complaint_handle(*, complaint: Complaint, actor, reply: str) -> Complaint:
    """Desk staff record how a complaint was handled (shown to the customer)."""
    reply = (reply or "").strip()
    if not reply:
        raise ValidationFailed(_("请填写处理结果。"), code="reason_required")
    if len(reply) > MAX_COMMENT:
        raise ValidationFailed(_("处理结果不能超过500个字。"), code="reason_too_long")
    won = Complaint.objects.filter(pk=complaint.pk, handled_at__isnull=True).update(
        handled_at=timezone.now(), handled_by=actor, reply=reply
    )
    if not won:
        raise IllegalTransition(_("该投诉已处理。"), code="complaint_already_handled")
    complaint.refresh_from_db()
    return complaint


def ticket_cancel_by_customer(*, ticket: Ticket, reason: str) -> Ticket:
    """The customer cancels before the technician is on site; a reason is required.

    Goes through the ordinary ``cancel`` transition performed by the system on
    the customer's behalf (actor None, labelled 客户): the tracking token is the
    customer's authority, and this policy is checked here first."""
    reason = (reason or "").strip()
    if not customer_may_cancel(ticket):
        raise IllegalTransition(
            _("师傅已到达或工单已结束，不能在线取消，请联系客服。"), code="cancel_not_allowed"
        )
    if not reason:
        raise ValidationFailed(_("请填写取消原因。"), code="reason_required")
    if len(reason) > MAX_REASON:
        raise ValidationFailed(
            _("取消原因不能超过%(n)d个字。") % {"n": MAX_REASON}, code="reason_too_long"
        )
    return ticket_transition(
        ticket=ticket, action="cancel", actor=None, note=reason, actor_label=str(CUSTOMER)
    )


def appointment_change_by_customer(
    *, ticket: Ticket, start: datetime, now: datetime | None = None
) -> Ticket:
    """Book or move the visit window from the tracking link.

    A first booking goes straight to ``appointment_book``. Moving one is refused
    within ``RESCHEDULE_CUTOFF`` of the booked start (the technician may be on
    the way) and after ``MAX_RESCHEDULES`` moves."""
    from baoxiu.dispatch.appointments import appointment_book

    now = now or timezone.now()
    if ticket.appointment_start is not None:
        if ticket.appointment_start - now < RESCHEDULE_CUTOFF:
            raise ValidationFailed(
                _("距预约时间不足2小时，不能在线改约，请联系客服。"), code="reschedule_too_late"
            )
        booked = ticket.events.filter(type=EventType.APPOINTMENT).count()
        if booked > MAX_RESCHEDULES:
            raise ValidationFailed(
                _("已改约%(n)d次，如需再改请联系客服。") % {"n": MAX_RESCHEDULES},
                code="reschedule_limit",
            )
    return appointment_book(ticket=ticket, start=start, now=now)


def rating_create(*, ticket: Ticket, stars: int, comment: str = "") -> Rating:
    """Rate a completed job, 1–5 stars and an optional comment; once per ticket."""
    if ticket.status not in RATEABLE:
        raise IllegalTransition(_("维修完成后才能评价。"), code="not_rateable")
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise ValidationFailed(_("请选择1到5星。"), code="stars_invalid")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationFailed(
            _("评价不能超过%(n)d个字。") % {"n": MAX_COMMENT}, code="comment_too_long"
        )
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                ticket=ticket, stars=stars, comment=comment, created_at=timezone.now()
            )
            ticket_note_event(
                ticket=ticket,
                event_type=EventType.RATED,
                actor_label=str(CUSTOMER),
                note=comment,
                data={"stars": stars},
            )
    except IntegrityError:
        raise ValidationFailed(_("您已评价过本次服务，感谢反馈。"), code="already_rated") from None
    return rating
