from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baoxiu.privacy.choices import AuditAction


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
