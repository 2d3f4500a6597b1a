import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from baoxiu.core.crypto import bearer_token_index
from baoxiu.core.fields import EncryptedTextField
from baoxiu.quotes.choices import DecisionChannel, PaymentMethod, QuoteStatus

RECEIPT_TOKEN_PURPOSE = "quotes.receipt"


def new_receipt_token() -> str:
    return secrets.token_urlsafe(24)


class TicketLock(models.Model):
    """The lock a ticket is about, by serial number: it decides warranty and
    builds the serial's service history."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="lock_record"
    )
    serial = models.ForeignKey(
        "pricing.LockSerial", on_delete=models.PROTECT, related_name="ticket_records"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("工单锁具")
        verbose_name_plural = _("工单锁具")

    def __str__(self):
        return f"{self.ticket_id}→{self.serial_id}"


class Quote(models.Model):
    """One version of a ticket's quote. Versions are never edited or deleted: a
    change is a new version with a reason, and needs the customer's approval
    again. The latest version is the one that counts."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="quotes")
    number = models.PositiveSmallIntegerField(_("报价版本"))
    status = models.CharField(
        _("状态"), max_length=12, choices=QuoteStatus.choices, default=QuoteStatus.PENDING
    )
    price_list = models.ForeignKey(
        "pricing.PriceListVersion", on_delete=models.PROTECT, related_name="quotes"
    )
    division_code = models.CharField(max_length=9, blank=True, default="")
    serial = models.ForeignKey(
        "pricing.LockSerial", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    in_warranty = models.BooleanField(_("在保"), default=False)
    total = models.DecimalField(_("合计"), max_digits=10, decimal_places=2)
    customer_total = models.DecimalField(_("客户应付"), max_digits=10, decimal_places=2)
    manufacturer_total = models.DecimalField(_("厂家承担"), max_digits=10, decimal_places=2)
    has_free_text = models.BooleanField(_("含价目表外项目"), default=False)
    reason = models.CharField(_("变更原因"), max_length=300, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("报价时间"))
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    decided_via = models.CharField(
        max_length=10, choices=DecisionChannel.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("报价")
        verbose_name_plural = _("报价")
        ordering = ["ticket", "number"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "number"], name="quotes_version_unique")
        ]

    def __str__(self):
        return f"{self.ticket_id} v{self.number}"

    @property
    def is_pending(self) -> bool:
        return self.status == QuoteStatus.PENDING

    @property
    def is_approved(self) -> bool:
        return self.status == QuoteStatus.APPROVED


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10)  # a pricing ItemKind, or "free"
    key = models.CharField(max_length=40, blank=True, default="")
    name = models.CharField(_("项目"), max_length=100)
    quantity = models.PositiveSmallIntegerField(_("数量"))
    unit_price = models.DecimalField(_("单价"), max_digits=10, decimal_places=2)
    list_price = models.DecimalField(
        _("公布价"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    amount = models.DecimalField(_("金额"), max_digits=10, decimal_places=2)
    customer_amount = models.DecimalField(max_digits=10, decimal_places=2)
    manufacturer_amount = models.DecimalField(max_digits=10, decimal_places=2)
    free_text = models.BooleanField(_("价目表外"), default=False)
    reason = models.CharField(_("原因"), max_length=300, blank=True, default="")

    class Meta:
        ordering = ["quote", "position"]

    def __str__(self):
        return f"{self.name} ×{self.quantity}"


class Payment(models.Model):
    """The customer's payment of an approved quote (the final bill)."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="payments")
    quote = models.OneToOneField(Quote, on_delete=models.PROTECT, related_name="payment")
    method = models.CharField(_("支付方式"), max_length=10, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("金额"), max_digits=10, decimal_places=2)
    paid_at = models.DateTimeField(_("付款时间"))
    provider = models.CharField(max_length=40)
    provider_reference = models.CharField(max_length=100)
    # A bearer credential: sealed at rest, found by its keyed digest.
    receipt_token = EncryptedTextField(default=new_receipt_token)
    receipt_index = models.CharField(max_length=40, unique=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("收款记录")
        verbose_name_plural = _("收款记录")

    def __str__(self):
        return f"{self.ticket_id} ¥{self.amount}"

    def save(self, *args, **kwargs):
        self.receipt_index = bearer_token_index(self.receipt_token, purpose=RECEIPT_TOKEN_PURPOSE)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "receipt_token" in update_fields:
            kwargs["update_fields"] = {*update_fields, "receipt_index"}
        super().save(*args, **kwargs)

    def receipt_path(self) -> str:
        return reverse("quotes:receipt", kwargs={"token": self.receipt_token})
