"""Writes of the customer-service desk: chat, calls, canned replies, badge photos."""

from __future__ import annotations

import io
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from baoxiu.accounts.matrix import may, roles_for
from baoxiu.accounts.models import User
from baoxiu.core.errors import PermissionDenied, RateLimited, ValidationFailed
from baoxiu.core.ratelimit import allow
from baoxiu.customers.models import Customer
from baoxiu.customers.services import phone_index_for
from baoxiu.support.choices import CallState, ConversationStatus, SenderKind
from baoxiu.support.models import (
    MAX_MESSAGE,
    CallEvent,
    CallRecord,
    CannedReply,
    ChatMessage,
    Conversation,
)
from baoxiu.support.telephony.base import CallEventData
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.services import TicketRequest, ticket_create
from baoxiu.workforce.models import Technician

# Who works the desk: chats, calls and canned replies.
# Who answers chats and calls: the permission matrix's ``chat.reply`` row.
SUPPORT_ROLES = roles_for("chat.reply")

MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PHOTO_SIDE = 6000


# ---- chat ----------------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("请输入消息内容。"), code="message_empty")
    if len(body) > MAX_MESSAGE:
        raise ValidationFailed(
            _("消息不能超过%(n)d个字。") % {"n": MAX_MESSAGE}, code="message_too_long"
        )
    return body


def chat_allowed(*, ip: str) -> bool:
    """Anonymous chat messages are limited per client address (per hour)."""
    return allow(
        "chat.ip",
        ip or "unknown",
        limit=settings.SUPPORT_CHAT_LIMIT_PER_IP,
        window=timedelta(hours=1),
    )


def _customer_message(conversation: Conversation, body: str, now) -> ChatMessage:
    message = ChatMessage.objects.create(
        conversation=conversation, sender=SenderKind.CUSTOMER, body=body, created_at=now
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        agent_unread=F("agent_unread") + 1,
        last_message_at=now,
        status=ConversationStatus.OPEN,
    )
    return message


def conversation_start(*, body: str, client_ip: str, ticket: Ticket | None = None) -> Conversation:
    """Open a chat with its first customer message (from the report or tracking page).

    Rate-limited per client address (RateLimited); an empty or too long
    message is refused (ValidationFailed) and nothing is written.
    """
    body = _clean_body(body)
    if not chat_allowed(ip=client_ip):
        raise RateLimited(_("发送过于频繁，请稍后再试，或直接拨打服务热线。"))
    now = timezone.now()
    with transaction.atomic():
        conversation = Conversation.objects.create(
            ticket=ticket, created_at=now, last_message_at=now
        )
        _customer_message(conversation, body, now)
    conversation.refresh_from_db()
    return conversation


def chat_message_post_by_customer(
    *, conversation: Conversation, body: str, client_ip: str
) -> ChatMessage:
    """A customer's message; a closed chat opens again. Rate-limited per address."""
    body = _clean_body(body)
    if not chat_allowed(ip=client_ip):
        raise RateLimited(_("发送过于频繁，请稍后再试，或直接拨打服务热线。"))
    with transaction.atomic():
        return _customer_message(conversation, body, timezone.now())


def chat_message_post_for_ticket(*, ticket: Ticket, body: str, client_ip: str) -> ChatMessage:
    """A message from the tracking page: into the ticket's open chat, or a new one."""
    conversation = (
        Conversation.objects.filter(ticket=ticket).order_by("-last_message_at", "-pk").first()
    )
    if conversation is None:
        conversation = conversation_start(body=body, client_ip=client_ip, ticket=ticket)
        return conversation.messages.order_by("-pk").first()
    return chat_message_post_by_customer(conversation=conversation, body=body, client_ip=client_ip)


def chat_message_post_by_agent(
    *, conversation: Conversation, agent: User, body: str = "", canned: CannedReply | None = None
) -> ChatMessage:
    """An agent's reply (typed, or a canned reply when ``body`` is empty).

    An unassigned chat is assigned to the agent who answers it.
    """
    if not may(agent, "chat.reply"):
        raise PermissionDenied(_("您没有权限回复客户。"))
    if not (body or "").strip() and canned is not None:
        body = canned.body
    body = _clean_body(body)
    now = timezone.now()
    with transaction.atomic():
        message = ChatMessage.objects.create(
            conversation=conversation,
            sender=SenderKind.AGENT,
            author=agent,
            body=body,
            created_at=now,
        )
        Conversation.objects.filter(pk=conversation.pk).update(
            customer_unread=F("customer_unread") + 1, last_message_at=now
        )
        Conversation.objects.filter(pk=conversation.pk, assigned_to__isnull=True).update(
            assigned_to=agent
        )
    return message


def conversation_mark_read(*, conversation: Conversation, side: str) -> None:
    """The agents (side "agent") or the customer (side "customer") have seen every message."""
    field = "agent_unread" if side == SenderKind.AGENT else "customer_unread"
    Conversation.objects.filter(pk=conversation.pk).exclude(**{field: 0}).update(**{field: 0})


def conversation_assign(*, conversation: Conversation, agent: User | None, actor: User) -> None:
    """Hand the chat to ``agent`` (None: back to the shared inbox)."""
    if agent is not None and not may(agent, "chat.reply"):
        raise ValidationFailed(_("只能分配给客服人员。"), code="invalid_agent")
    Conversation.objects.filter(pk=conversation.pk).update(assigned_to=agent)


def conversation_close(*, conversation: Conversation, actor: User) -> None:
    Conversation.objects.filter(pk=conversation.pk).update(status=ConversationStatus.CLOSED)


def conversation_ticket_create(
    *,
    conversation: Conversation,
    request: TicketRequest,
    agent: User,
    idempotency_key: str,
) -> Ticket:
    """Turn a chat into a ticket through the ordinary ticket service.

    Precondition: the chat has no ticket yet (ValidationFailed otherwise).
    Side effects: everything ``ticket_create`` does; the chat is linked to the
    ticket (its messages are kept with it) and the customer is told the code.
    """
    if conversation.ticket_id:
        raise ValidationFailed(_("该会话已关联工单。"), code="conversation_has_ticket")
    with transaction.atomic():
        ticket, _created = ticket_create(
            request=request,
            created_by=agent,
            idempotency_key=idempotency_key,
            idempotency_scope="support-chat",
        )
        linked = Conversation.objects.filter(pk=conversation.pk, ticket__isnull=True).update(
            ticket=ticket
        )
        if not linked:
            raise ValidationFailed(_("该会话已关联工单。"), code="conversation_has_ticket")
        Conversation.objects.filter(pk=conversation.pk, assigned_to__isnull=True).update(
            assigned_to=agent
        )
        now = timezone.now()
        ChatMessage.objects.create(
            conversation=conversation,
            sender=SenderKind.SYSTEM,
            author=agent,
            body=_("已为您创建报修工单 %(code)s，可在本页打开进度查询。") % {"code": ticket.code},
            created_at=now,
        )
        Conversation.objects.filter(pk=conversation.pk).update(
            customer_unread=F("customer_unread") + 1, last_message_at=now
        )
    conversation.refresh_from_db()
    return ticket


# ---- canned replies ------------------------------------------------------------


def canned_reply_create(*, title: str, body: str, actor: User) -> CannedReply:
    title = (title or "").strip()
    if not title or len(title) > 40:
        raise ValidationFailed(_("标题须为1到40个字。"), code="invalid_title")
    return CannedReply.objects.create(title=title, body=_clean_body(body))


def canned_reply_set_active(*, reply: CannedReply, active: bool, actor: User) -> None:
    CannedReply.objects.filter(pk=reply.pk).update(active=active)


# ---- calls ---------------------------------------------------------------------

# A call never goes back: an "answered" that arrives after "ended" changes nothing.
_CALL_ORDER = {CallState.RINGING: 0, CallState.ANSWERED: 1, CallState.ENDED: 2}


def _agent_for(ref: str) -> User | None:
    if not ref:
        return None
    agents = User.objects.filter(is_active=True)
    user = agents.filter(username=ref).first()
    if user is None and ref.isdigit():
        user = agents.filter(pk=int(ref)).first()
    return user if may(user, "call.answer") else None


def call_event_record(*, event: CallEventData) -> tuple[CallRecord, bool]:
    """Record one telephony event; returns ``(call, applied)``.

    Idempotent: the same (call id, event) a second time changes nothing
    (``applied`` False). The first event of a call creates its record and
    matches the caller to a customer by the phone blind index. States only
    move forward (ringing → answered → ended), whatever order events arrive in.
    An agent reference that names no active desk user is ignored.
    """
    agent = _agent_for(event.agent)
    try:
        index = phone_index_for(event.caller) if event.caller else ""
    except ValidationFailed:
        index = ""  # a landline or withheld number: no match, still recorded
    with transaction.atomic():
        call = CallRecord.objects.select_for_update().filter(call_id=event.call_id).first()
        if call is None:
            try:
                with transaction.atomic():
                    call = CallRecord.objects.create(
                        call_id=event.call_id,
                        caller=event.caller,
                        caller_index=index,
                        called_number=event.called,
                        agent=agent,
                        state=event.event,
                        customer=Customer.objects.filter(phone_index=index).first()
                        if index
                        else None,
                        started_at=event.occurred_at,
                    )
            except IntegrityError:
                call = CallRecord.objects.get(call_id=event.call_id)
        try:
            with transaction.atomic():
                CallEvent.objects.create(
                    call=call, event=event.event, occurred_at=event.occurred_at
                )
        except IntegrityError:
            return call, False
        changes: dict = {}
        if _CALL_ORDER[event.event] > _CALL_ORDER[call.state]:
            changes["state"] = event.event
        if agent is not None and (call.agent_id is None or event.event == CallState.ANSWERED):
            changes["agent"] = agent
        if event.event == CallState.ANSWERED:
            changes["answered_at"] = event.occurred_at
        if event.event == CallState.ENDED:
            changes["ended_at"] = event.occurred_at
            if event.recording_ref:
                changes["recording_ref"] = event.recording_ref
        if changes:
            CallRecord.objects.filter(pk=call.pk).update(**changes)
    call.refresh_from_db()
    return call, True


def call_ticket_create(
    *, call: CallRecord, request: TicketRequest, agent: User, idempotency_key: str
) -> Ticket:
    """Create the caller's ticket from the call screen; the call (its id and
    recording reference) is kept on the ticket."""
    with transaction.atomic():
        ticket, _created = ticket_create(
            request=request,
            created_by=agent,
            idempotency_key=idempotency_key,
            idempotency_scope="support-call",
        )
        CallRecord.objects.filter(pk=call.pk).update(ticket=ticket, customer=ticket.customer)
    return ticket


def call_ticket_attach(*, call: CallRecord, ticket: Ticket, agent: User) -> None:
    """Keep the call on an existing ticket of the same caller."""
    if call.customer_id is None or ticket.customer_id != call.customer_id:
        raise ValidationFailed(_("只能关联该来电客户自己的工单。"), code="ticket_not_callers")
    CallRecord.objects.filter(pk=call.pk).update(ticket=ticket)


# ---- technician badges ---------------------------------------------------------


def technician_photo_set(*, technician: Technician, upload, actor: User) -> Technician:
    """Replace the badge photo after checking it is a real, reasonably small image.

    The image is re-encoded as JPEG, which also drops EXIF data (a phone photo
    may carry the place it was taken). Stored in the default storage under the
    var directory, which the web server does not serve; the public badge-photo
    view hands it out.
    """
    from PIL import Image, UnidentifiedImageError

    if upload is None:
        raise ValidationFailed(_("请选择照片。"), code="photo_missing")
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationFailed(_("照片不能超过5MB。"), code="photo_too_large")
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if kind not in PHOTO_FORMATS:
            raise ValidationFailed(_("照片须为 JPEG、PNG 或 WebP 格式。"), code="photo_type")
        if max(image.size) > MAX_PHOTO_SIDE:
            raise ValidationFailed(_("照片尺寸过大。"), code="photo_too_large")
        image.thumbnail((800, 800))
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=85)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationFailed(_("照片须为 JPEG、PNG 或 WebP 格式。"), code="photo_type") from None
    old = technician.photo.name if technician.photo else ""
    name = f"{technician.badge_code}-{get_random_string(8)}.jpg"
    technician.photo.save(name, ContentFile(out.getvalue()), save=False)
    Technician.objects.filter(pk=technician.pk).update(photo=technician.photo.name)
    if old:
        technician.photo.storage.delete(old)
    return technician
