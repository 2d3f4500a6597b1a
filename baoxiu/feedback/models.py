from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baoxiu.core.fields import EncryptedTextField
from baoxiu.feedback.choices import ComplaintKind


class Complaint(models.Model):
    """A complaint or an escalation the customer raised from the tracking page."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="complaints"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=ComplaintKind.choices)
    # Customers' own words often carry names, numbers and addresses: sealed at rest.
    text = EncryptedTextField(_("内容"))
    created_at = models.DateTimeField(_("提交时间"), db_index=True)
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    reply = EncryptedTextField(_("处理结果"), blank=True, default="")

    class Meta:
        verbose_name = _("客户投诉")
        verbose_name_plural = _("客户投诉")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.ticket_id}:{self.kind}#{self.pk}"


class Rating(models.Model):
    """The customer's rating of a completed job: one per ticket."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="rating")
    stars = models.PositiveSmallIntegerField(_("评分"))
    comment = EncryptedTextField(_("评价"), blank=True, default="")
    created_at = models.DateTimeField(_("评价时间"))

    class Meta:
        verbose_name = _("服务评价")
        verbose_name_plural = _("服务评价")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="feedback_rating_stars_1_5"
            )
        ]

    def __str__(self):
        return f"{self.ticket_id}:{self.stars}"
