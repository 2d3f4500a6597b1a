"""Reads of the customer-service desk and the public verify checks."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from baoxiu.accounts.choices import ChannelKind
from baoxiu.accounts.matrix import Scope, may, scope_for
from baoxiu.accounts.models import OfficialChannel, User
from baoxiu.core.crypto import bearer_token_index
from baoxiu.core.errors import NotFound, ValidationFailed
from baoxiu.core.validators import mask_name
from baoxiu.customers.services import phone_index_for
from baoxiu.support.choices import CallState, ConversationStatus
from baoxiu.support.models import (
    TOKEN_PURPOSE,
    CallRecord,
    CannedReply,
    ChatMessage,
    Conversation,
)
from baoxiu.support.services import SUPPORT_ROLES
from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.workforce.models import Technician

# The statuses in which a technician is, or is about to be, at the customer's door.
AT_THE_DOOR = (
    TicketStatus.ASSIGNED,
    TicketStatus.ACCEPTED,
    TicketStatus.EN_ROUTE,
    TicketStatus.ON_SITE,
    TicketStatus.IN_PROGRESS,
)


# ---- chat ----------------------------------------------------------------------


def conversation_by_token(token: str) -> Conversation:
    """The customer's chat, found by its unguessable token (NotFound otherwise)."""
    if not token or len(token) > 64:
        raise NotFound(_("会话不存在。"))
    conversation = (
        Conversation.objects.select_related("ticket")
        .filter(token_index=bearer_token_index(token, purpose=TOKEN_PURPOSE))
        .first()
    )
    if conversation is None or not secrets.compare_digest(conversation.token, token):
        raise NotFound(_("会话不存在。"))
    return conversation


def conversation_for_ticket(ticket: Ticket) -> Conversation | None:
    return Conversation.objects.filter(ticket=ticket).order_by("-last_message_at", "-pk").first()


def chat_messages(conversation: Conversation | None) -> QuerySet[ChatMessage] | list:
    if conversation is None:
        return []
    return conversation.messages.select_related("author").order_by("created_at", "id")


def messages_for_ticket(ticket: Ticket) -> QuerySet[ChatMessage]:
    """Every chat line kept with a ticket, over all its conversations."""
    return (
        ChatMessage.objects.filter(conversation__ticket=ticket)
        .select_related("author")
        .order_by("created_at", "id")
    )


def support_inbox(*, user: User, mine: bool = False) -> QuerySet[Conversation]:
    """Open chats, most recent first; ``mine`` keeps the user's and unassigned ones."""
    qs = Conversation.objects.filter(status=ConversationStatus.OPEN).select_related(
        "assigned_to", "ticket"
    )
    if mine:
        qs = qs.filter(Q(assigned_to=user) | Q(assigned_to__isnull=True))
    return qs.order_by("-last_message_at", "-pk")


def access_conversation(user: User, pk: int) -> Conversation:
    if not may(user, "chat.reply"):
        raise NotFound(_("会话不存在。"))
    conversation = (
        Conversation.objects.select_related("assigned_to", "ticket").filter(pk=pk).first()
    )
    if conversation is None:
        raise NotFound(_("会话不存在。"))
    return conversation


def support_agents() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=SUPPORT_ROLES).order_by("username")


def canned_replies(*, include_inactive: bool = False) -> QuerySet[CannedReply]:
    qs = CannedReply.objects.all()
    return qs if include_inactive else qs.filter(active=True)


# ---- calls ---------------------------------------------------------------------


def ringing_call_for(user: User) -> CallRecord | None:
    """The call ringing for this agent now: one routed to them, else one routed to nobody."""
    if not may(user, "call.answer"):
        return None
    ringing = CallRecord.objects.filter(state=CallState.RINGING).select_related("customer")
    return (
        ringing.filter(Q(agent=user) | Q(agent__isnull=True)).order_by("-started_at", "-pk").first()
    )


def access_call(user: User, call_id: str) -> CallRecord:
    if not may(user, "call.answer"):
        raise NotFound(_("没有这通来电。"))
    call = (
        CallRecord.objects.select_related("customer", "ticket", "agent")
        .filter(call_id=call_id)
        .first()
    )
    if call is None:
        raise NotFound(_("没有这通来电。"))
    return call


def caller_tickets(call: CallRecord) -> QuerySet[Ticket]:
    if call.customer_id is None:
        return Ticket.objects.none()
    return (
        Ticket.objects.filter(customer_id=call.customer_id)
        .select_related("fault_type", "address", "technician")
        .order_by("-created_at")[:20]
    )


def calls_for_ticket(ticket: Ticket) -> QuerySet[CallRecord]:
    return CallRecord.objects.filter(ticket=ticket).select_related("agent").order_by("started_at")


# ---- verify --------------------------------------------------------------------


def _digits(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) in (10, 11):
            return digits[len(prefix) :]
    return digits


def official_hotlines() -> list[OfficialChannel]:
    return list(OfficialChannel.objects.filter(kind=ChannelKind.HOTLINE).order_by("pk"))


def official_channel_for_number(number: str) -> OfficialChannel | None:
    """The official hotline matching ``number`` however it is written
    (spaces, dashes, +86), or None."""
    wanted = _digits(number)
    if len(wanted) < 5:
        raise ValidationFailed(_("请输入完整的电话号码。"), code="invalid_number")
    for channel in official_hotlines():
        if _digits(channel.value) == wanted:
            return channel
    return None


@dataclass
class BadgeCheck:
    technician: Technician
    display_name: str
    active: bool
    # None: the caller gave no phone number; otherwise whether the technician is
    # on a job at that caller's address now, and that address masked.
    assigned_to_caller: bool | None = None
    job_area: str = ""
    job_address: str = ""
    jobs: list = field(default_factory=list)


def mask_address(text: str) -> str:
    """Enough for a customer to recognise their own street, not a door number."""
    text = text or ""
    keep = min(6, max(0, len(text) - 4))
    return text[:keep] + "****" if text else ""


def technician_by_badge(code: str) -> Technician | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 16:
        return None
    return Technician.objects.select_related("outlet", "user").filter(badge_code=code).first()


def badge_check(code: str, *, caller_phone: str = "") -> BadgeCheck | None:
    """What anyone may learn from a badge code: the technician's masked name,
    outlet, certificate and status; and, given the caller's own phone number,
    whether the technician is on a job at that caller's address right now."""
    technician = technician_by_badge(code)
    if technician is None:
        return None
    check = BadgeCheck(
        technician=technician,
        display_name=mask_name(technician.name),
        active=technician.active and technician.user.is_active,
    )
    if caller_phone:
        index = phone_index_for(caller_phone)  # ValidationFailed on a bad number
        job = (
            Ticket.objects.filter(
                technician=technician, status__in=AT_THE_DOOR, customer__phone_index=index
            )
            .select_related("address")
            .order_by("-created_at")
            .first()
        )
        check.assigned_to_caller = job is not None
        if job is not None:
            check.job_area = job.address.area_name
            check.job_address = mask_address(job.address.text)
    return check


def staff_may_manage_badge(user: User, technician: Technician) -> bool:
    scope = scope_for(user, "badge.manage")
    if scope == Scope.ALL:
        return True
    return scope == Scope.OWN_OUTLET and technician.outlet.manager_id == user.pk


def access_technician_badge(user: User, pk: int) -> Technician:
    technician = Technician.objects.select_related("outlet", "user").filter(pk=pk).first()
    if technician is None or not staff_may_manage_badge(user, technician):
        raise NotFound(_("没有这位师傅。"))
    return technician
