import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from baoxiu.catalog.choices import Priority
from baoxiu.catalog.models import FaultType, LockModel
from baoxiu.core.fields import EncryptedTextField
from baoxiu.customers.models import Address, Customer
from baoxiu.tickets.choices import EventType, TicketChannel, TicketStatus
from baoxiu.workforce.models import Technician


def new_tracking_token() -> str:
    # 24 random bytes = 192 bits, URL-safe.
    return secrets.token_urlsafe(24)


class Ticket(models.Model):
    """A repair request from report to close.

    ``status`` changes only through ``baoxiu.tickets.transitions``; ``version``
    goes up with every change so that two concurrent changes cannot both win.
    """

    code = models.CharField(_("工单号"), max_length=20, unique=True)
    # A bearer credential: sealed at rest like personal data, so a copy of the
    # database does not open every tracking page. Looked up by code, then compared.
    tracking_token = EncryptedTextField(default=new_tracking_token)
    # Set when an ended ticket's link secret is replaced by the retention job (the
    # sealed token cannot be filtered on, so this says which ones are done).
    tracking_retired_at = models.DateTimeField(null=True, blank=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="tickets")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="tickets")
    lock_model = models.ForeignKey(
        LockModel, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("锁具型号")
    )
    fault_type = models.ForeignKey(FaultType, on_delete=models.PROTECT, verbose_name=_("故障类型"))
    # Free text from the reporter (may name people, numbers, door codes): sealed.
    description = EncryptedTextField(_("问题描述"), blank=True, default="")
    priority = models.CharField(_("优先级"), max_length=10, choices=Priority.choices)
    channel = models.CharField(_("来源"), max_length=10, choices=TicketChannel.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW
    )
    status_before_hold = models.CharField(max_length=20, blank=True, default="")
    technician = models.ForeignKey(
        Technician,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("师傅"),
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("报修时间"), db_index=True)
    updated_at = models.DateTimeField(_("更新时间"))
    assigned_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The visit window the customer booked (non-emergency work), if any.
    appointment_start = models.DateTimeField(_("预约开始"), null=True, blank=True)
    appointment_end = models.DateTimeField(_("预约结束"), null=True, blank=True)
    # Which personal-information notice the reporter agreed to, and when.
    consent_version = models.CharField(
        _("同意的隐私说明版本"), max_length=20, blank=True, default=""
    )
    consent_at = models.DateTimeField(_("同意时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "priority", "created_at"], name="tickets_queue"),
            models.Index(fields=["technician", "status"], name="tickets_tech_status"),
        ]

    def __str__(self):
        return self.code

    def tracking_path(self) -> str:
        return reverse("portal:track", kwargs={"code": self.code, "token": self.tracking_token})

    def tracking_url(self) -> str:
        """The customer's link, absolute, for messages sent outside the site."""
        return settings.PUBLIC_BASE_URL.rstrip("/") + self.tracking_path()


class TicketEvent(models.Model):
    """One line of a ticket's timeline: who did what, when, from which status to which."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=20, choices=EventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=50, blank=True, default="")
    from_status = models.CharField(max_length=20, blank=True, default="")
    to_status = models.CharField(max_length=20, blank=True, default="")
    # Reasons and notes people type (a complaint, a cancel reason): sealed at rest.
    note = EncryptedTextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("工单事件")
        verbose_name_plural = _("工单事件")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.ticket_id}:{self.type}"

    def from_status_label(self) -> str:
        return TicketStatus(self.from_status).label if self.from_status else ""

    def to_status_label(self) -> str:
        return TicketStatus(self.to_status).label if self.to_status else ""


class TicketCodeSequence(models.Model):
    """Per-day counter behind human-readable ticket codes (BX + yymmdd + number)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.day}: {self.last}"


class IdempotencyRecord(models.Model):
    """Remembers a create request by its Idempotency-Key so a retry returns the same ticket."""

    scope = models.CharField(max_length=30)
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="tickets_idempotency_unique")
        ]

    def __str__(self):
        return f"{self.scope}:{self.key}"
