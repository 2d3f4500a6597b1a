"""Online chat, phone calls and canned replies of the customer-service desk."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baoxiu.core.crypto import bearer_token_index
from baoxiu.core.fields import EncryptedTextField
from baoxiu.support.choices import CallState, ConversationStatus, SenderKind

MAX_MESSAGE = 500
TOKEN_PURPOSE = "support.conversation"


def new_conversation_token() -> str:
    # 24 random bytes = 192 bits, like the tracking token.
    return secrets.token_urlsafe(24)


class Conversation(models.Model):
    """A chat between one customer and the desk.

    Before a ticket exists the customer's side is addressed only by ``token``
    (kept in their session and URL); once linked, the tracking link reaches it too.
    ``agent_unread`` and ``customer_unread`` are counters changed with F().
    """

    # A bearer credential: sealed at rest, found by its keyed digest.
    token = EncryptedTextField(default=new_conversation_token)
    token_index = models.CharField(max_length=40, unique=True, editable=False)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
        verbose_name=_("工单"),
    )
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ConversationStatus.choices,
        default=ConversationStatus.OPEN,
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
        verbose_name=_("负责客服"),
    )
    agent_unread = models.PositiveIntegerField(default=0)
    customer_unread = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("发起时间"), db_index=True)
    last_message_at = models.DateTimeField(_("最后消息"), db_index=True)

    class Meta:
        verbose_name = _("在线会话")
        verbose_name_plural = _("在线会话")
        ordering = ["-last_message_at"]
        indexes = [models.Index(fields=["status", "last_message_at"], name="support_inbox")]

    def __str__(self):
        return f"会话#{self.pk}"

    def save(self, *args, **kwargs):
        self.token_index = bearer_token_index(self.token, purpose=TOKEN_PURPOSE)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "token" in update_fields:
            kwargs["update_fields"] = {*update_fields, "token_index"}
        super().save(*args, **kwargs)


class ChatMessage(models.Model):
    """One line of a chat. The text may hold personal data, so it is sealed at rest."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.CharField(max_length=10, choices=SenderKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = EncryptedTextField(_("内容"))
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("会话消息")
        verbose_name_plural = _("会话消息")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.conversation_id}:{self.pk}"


class CannedReply(models.Model):
    """A prepared answer agents can send with one click."""

    title = models.CharField(_("标题"), max_length=40)
    body = models.CharField(_("内容"), max_length=MAX_MESSAGE)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("快捷回复")
        verbose_name_plural = _("快捷回复")
        ordering = ["title", "id"]

    def __str__(self):
        return self.title


class CallRecord(models.Model):
    """A hotline call reported by the telephony webhook.

    The caller's number is sealed; ``caller_index`` (the customers' phone blind
    index) finds the caller's record. ``ticket`` is set when the agent creates
    or picks a ticket for the call; ``recording_ref`` is the vendor's reference.
    """

    call_id = models.CharField(max_length=64, unique=True)
    caller = EncryptedTextField(_("主叫号码"))
    caller_index = models.CharField(max_length=40, blank=True, default="", db_index=True)
    called_number = models.CharField(_("被叫号码"), max_length=30, blank=True, default="")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("接听客服"),
    )
    state = models.CharField(_("状态"), max_length=10, choices=CallState.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("工单"),
    )
    recording_ref = models.CharField(_("录音编号"), max_length=200, blank=True, default="")
    started_at = models.DateTimeField(_("来电时间"), db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通话记录")
        verbose_name_plural = _("通话记录")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["state", "started_at"], name="support_call_state")]

    def __str__(self):
        return self.call_id


class CallEvent(models.Model):
    """Each webhook event as received; (call_id, event) is unique so a retry is a no-op."""

    call = models.ForeignKey(CallRecord, on_delete=models.CASCADE, related_name="events")
    event = models.CharField(max_length=10, choices=CallState.choices)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["call", "event"], name="support_call_event_unique")
        ]

    def __str__(self):
        return f"{self.call_id}:{self.event}"
