from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baoxiu.core.fields import EncryptedTextField
from baoxiu.lockopening.choices import WitnessKind, WitnessRule
from baoxiu.privacy.retention import VisibleManager


class LockOpeningPolicy(models.Model):
    """The local rules for opening a door (开锁), by administrative division.

    ``division_prefix`` is the leading part of a GB/T 2260 code: six digits for
    a county, four for a city, two for a province, empty for the national
    default. The longest prefix matching a ticket's address wins."""

    division_prefix = models.CharField(
        _("区划代码前缀"), max_length=6, unique=True, blank=True, default=""
    )
    name = models.CharField(_("适用地区"), max_length=50)
    requires_id_check = models.BooleanField(_("须核验身份证"), default=True)
    requires_residence_proof = models.BooleanField(_("须居住证明照片"), default=True)
    witness_rule = models.CharField(
        _("见证要求"), max_length=10, choices=WitnessRule.choices, default=WitnessRule.EITHER
    )
    retention_days = models.PositiveIntegerField(_("登记保存天数"), default=180)

    class Meta:
        verbose_name = _("开锁管理规定")
        verbose_name_plural = _("开锁管理规定")
        ordering = ["division_prefix"]

    def __str__(self):
        return self.name


class LockOpeningRecord(models.Model):
    """The lock-opening register entry (开锁登记) of one job.

    The policy's requirements are copied in when the record is started, so a
    later change of the rules does not change what an existing record needed.
    Kept until ``purge_after``, then deleted with its images by a periodic job."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="lock_opening_record"
    )
    policy = models.ForeignKey(
        LockOpeningPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    policy_name = models.CharField(_("适用规定"), max_length=50)
    requires_id_check = models.BooleanField()
    requires_residence_proof = models.BooleanField()
    witness_rule = models.CharField(max_length=10, choices=WitnessRule.choices)
    retention_days = models.PositiveIntegerField()

    id_number = EncryptedTextField(_("身份证号"), blank=True, default="")
    id_number_masked = models.CharField(
        _("身份证号（脱敏）"), max_length=18, blank=True, default=""
    )
    id_checked = models.BooleanField(_("已核验身份证原件"), default=False)
    id_consent_at = models.DateTimeField(_("身份证号单独同意时间"), null=True, blank=True)
    id_consent_version = models.CharField(max_length=20, blank=True, default="")
    residence_proof_file = models.CharField(max_length=200, blank=True, default="")
    witness_kind = models.CharField(
        _("见证方式"), max_length=10, choices=WitnessKind.choices, blank=True, default=""
    )
    witness_name = EncryptedTextField(_("见证人姓名"), blank=True, default="")
    witness_signature_file = models.CharField(max_length=200, blank=True, default="")
    police_reference = models.CharField(
        _("公安备案/接警编号"), max_length=40, blank=True, default=""
    )

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    completed_at = models.DateTimeField(_("登记完成时间"), null=True, blank=True)
    purge_after = models.DateTimeField(_("到期删除时间"), db_index=True)

    # An erased customer's entries are storage-only until purge_after: no page sees them.
    objects = VisibleManager()

    class Meta:
        verbose_name = _("开锁登记")
        verbose_name_plural = _("开锁登记")

    def __str__(self):
        return f"开锁登记#{self.pk}"
