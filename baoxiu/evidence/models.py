from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baoxiu.evidence.choices import ConfirmationMethod, OldPartFate, PhotoKind


class EvidenceRule(models.Model):
    """What a job of this fault type must show before it may be completed."""

    fault_type = models.OneToOneField(
        "catalog.FaultType",
        on_delete=models.CASCADE,
        related_name="evidence_rule",
        verbose_name=_("故障类型"),
    )
    before_photos = models.PositiveSmallIntegerField(_("维修前照片（张）"), default=1)
    after_photos = models.PositiveSmallIntegerField(_("维修后照片（张）"), default=1)
    old_part_return_required = models.BooleanField(_("须记录更换配件并交还旧件"), default=False)

    class Meta:
        verbose_name = _("完工凭证要求")
        verbose_name_plural = _("完工凭证要求")

    def __str__(self):
        return str(self.fault_type)


class JobPhoto(models.Model):
    """A before/after photo of a job, re-encoded and stored privately (``files.py``)."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("类型"), max_length=10, choices=PhotoKind.choices)
    file_name = models.CharField(max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    caption = models.CharField(_("说明"), max_length=100, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "kind"], name="evidence_photo_ticket_kind")]

    def __str__(self):
        return f"{self.ticket_id}:{self.kind}#{self.pk}"


class PartReplacement(models.Model):
    """A part the technician replaced: what went in, what came out, where the old one went."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="parts")
    name = models.CharField(_("配件名称"), max_length=100)
    code = models.CharField(_("配件编码"), max_length=40, blank=True, default="")
    new_serial = models.CharField(_("新件序列号"), max_length=60, blank=True, default="")
    old_serial = models.CharField(_("旧件序列号"), max_length=60, blank=True, default="")
    old_part = models.CharField(_("旧件去向"), max_length=10, choices=OldPartFate.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("更换配件")
        verbose_name_plural = _("更换配件")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.name


class CompletionConfirmation(models.Model):
    """The customer's word that the job is done: their completion code entered by
    the technician, their signature on the technician's phone, or a tap on the
    tracking page. Cleared when the ticket is reopened."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="completion_confirmation"
    )
    method = models.CharField(_("确认方式"), max_length=10, choices=ConfirmationMethod.choices)
    confirmed_at = models.DateTimeField(_("确认时间"))
    # The customer's signature on the technician's phone (method SIGNATURE): a
    # private image under the media root, deleted with the confirmation.
    signature_file = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("客户完工确认")
        verbose_name_plural = _("客户完工确认")

    def __str__(self):
        return f"{self.ticket_id}:{self.method}"


class CompletionReview(models.Model):
    """A completion without the customer's confirmation, waiting for the desk.

    The ticket cannot be closed while ``resolved_at`` is empty."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="completion_review"
    )
    reason = models.CharField(_("原因"), max_length=200)
    created_at = models.DateTimeField(_("创建时间"))
    resolved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    note = models.CharField(_("审核说明"), max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("完工审核")
        verbose_name_plural = _("完工审核")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(resolved_at__isnull=True),
                name="evidence_review_open",
            )
        ]

    def __str__(self):
        return f"{self.ticket_id}:review"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
