from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baoxiu.privacy.choices import AuditAction, BindingState


class AppendOnlyError(Exception):
    """Audit rows are never changed or removed by the application."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries cannot be updated")

    def delete(self):
        raise AppendOnlyError("audit entries cannot be deleted")


class AuditEntry(models.Model):
    """One access to personal data: who, what, which record, why, when.

    Append-only: the model refuses updates and deletes, and on PostgreSQL a
    trigger refuses them in the database too (see the migration). Retention
    (≥ 180 days) is a database operator's job, outside the application.
    """

    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("人员")
    )
    action = models.CharField(_("操作"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("对象"), max_length=40)
    object_id = models.CharField(_("对象编号"), max_length=40, db_index=True)
    field = models.CharField(_("字段"), max_length=40, blank=True, default="")
    ticket_code = models.CharField(
        _("工单号"), max_length=20, blank=True, default="", db_index=True
    )
    reason = models.CharField(_("原因"), max_length=200)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("个人信息访问记录")
        verbose_name_plural = _("个人信息访问记录")
        ordering = ["-at", "-id"]

    def __str__(self):
        when = f"{self.at:%Y-%m-%d %H:%M}"
        return f"{when} {self.actor_id} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit entries cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be deleted")


class PrivacyNumberBinding(models.Model):
    """A virtual number standing between one ticket's customer and its technician.

    The customer's real number is not copied here: the bind job reads it from
    the (encrypted) customer row and hands it to the provider only.
    A technician sees ``virtual_number`` while the binding is ``bound``, not
    expired and they are still the ticket's technician.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="privacy_numbers"
    )
    technician = models.ForeignKey(
        "workforce.Technician", on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=BindingState.choices, default=BindingState.PENDING
    )
    virtual_number = models.CharField(_("隐私号"), max_length=20, blank=True, default="")
    provider_ref = models.CharField(max_length=100, blank=True, default="")
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    bound_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("隐私号绑定")
        verbose_name_plural = _("隐私号绑定")
        indexes = [models.Index(fields=["ticket", "state"], name="privacy_binding_ticket")]

    def __str__(self):
        return f"{self.ticket_id}/{self.technician_id}: {self.state}"


class StorageOnlyRecord(models.Model):
    """A row kept after its data subject asked for erasure, because a law says so.

    It marks ``model``/``object_pk`` storage-only: selectors of the owning app
    leave it out (``baoxiu.privacy.retention.visible``), and the retention job
    deletes the row once ``keep_until`` has passed.
    """

    model = models.CharField(max_length=100)
    object_pk = models.CharField(max_length=40)
    keep_until = models.DateTimeField(db_index=True)
    restricted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("仅存储记录")
        verbose_name_plural = _("仅存储记录")
        constraints = [
            models.UniqueConstraint(fields=["model", "object_pk"], name="privacy_storage_only_once")
        ]

    def __str__(self):
        return f"{self.model}#{self.object_pk} until {self.keep_until:%Y-%m-%d}"
