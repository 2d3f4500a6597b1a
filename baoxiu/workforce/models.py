from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baoxiu.catalog.models import Skill
from baoxiu.core.errors import ValidationFailed
from baoxiu.core.fields import EncryptedTextField
from baoxiu.core.models import TimeStampedModel
from baoxiu.core.validators import normalize_mobile


def new_badge_code() -> str:
    """The code printed (and QR-encoded) on a technician's badge: 16 random
    characters from an alphabet without look-alikes, ~80 bits, unguessable."""
    import secrets

    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(16))


class Outlet(TimeStampedModel):
    """A service outlet (网点): a local repair shop in the network."""

    code = models.SlugField(_("网点编号"), max_length=30, unique=True)
    name = models.CharField(_("网点名称"), max_length=100)
    area_name = models.CharField(_("服务区域"), max_length=100)
    area_code = models.CharField(_("区划代码"), max_length=12, blank=True, default="")
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_outlets",
        verbose_name=_("负责人"),
    )
    active = models.BooleanField(_("营业中"), default=True)

    class Meta:
        verbose_name = _("服务网点")
        verbose_name_plural = _("服务网点")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Technician(TimeStampedModel):
    """A repair technician (师傅). Name and photo are shown to customers so they
    can recognise who comes to the door; the certificate number lets anyone verify them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="technician"
    )
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="technicians")
    name = models.CharField(_("姓名"), max_length=50)
    certificate_no = models.CharField(_("上岗证编号"), max_length=30, unique=True)
    # The technician's own mobile: the B side of the privacy-number binding
    # (隐私号 AXB), so only this phone reaches the customer through the virtual
    # number. Sealed at rest and never shown to customers.
    phone = EncryptedTextField(_("手机号"), blank=True, default="")
    photo = models.ImageField(_("照片"), upload_to="technicians/", blank=True)
    # Printed on the badge and encoded in its QR code; anyone can verify it (support app).
    badge_code = models.CharField(
        _("工牌编码"), max_length=16, unique=True, default=new_badge_code, editable=False
    )
    skills = models.ManyToManyField(Skill, blank=True, related_name="technicians")
    home_latitude = models.DecimalField(_("常驻点纬度"), max_digits=9, decimal_places=6)
    home_longitude = models.DecimalField(_("常驻点经度"), max_digits=9, decimal_places=6)
    work_start = models.TimeField(_("上班时间"), default=time(8, 30))
    work_end = models.TimeField(_("下班时间"), default=time(18, 30))
    break_start = models.TimeField(_("午休开始"), default=time(12, 0))
    break_minutes = models.PositiveSmallIntegerField(_("午休时长（分钟）"), default=60)
    active = models.BooleanField(_("在岗"), default=True)
    # The latest reported position (the history is in TechnicianLocation).
    last_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    last_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    last_located_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("师傅")
        verbose_name_plural = _("师傅")
        ordering = ["outlet__code", "name"]

    def __str__(self):
        return f"{self.name}（{self.certificate_no}）"

    def clean(self):
        super().clean()
        if self.phone:
            try:
                self.phone = normalize_mobile(self.phone)
            except ValidationFailed as exc:
                raise ValidationError({"phone": exc.message}) from None

    def has_skills(self, required) -> bool:
        return set(required) <= set(self.skills.all())

    def on_shift(self, at: datetime) -> bool:
        """Inside today's working hours and not on the break, at the moment ``at``."""
        return on_shift_at(
            timezone.localtime(at),
            work_start=self.work_start,
            work_end=self.work_end,
            break_start=self.break_start,
            break_minutes=self.break_minutes,
        )


def on_shift_at(
    local: datetime, *, work_start: time, work_end: time, break_start: time, break_minutes: int
) -> bool:
    """``Technician.on_shift`` on the shift's columns alone, ``local`` in local time.

    For reads that fetch those columns without building a Technician (dispatch).
    """
    if not work_start <= local.time() < work_end:
        return False
    start = datetime.combine(local.date(), break_start, tzinfo=local.tzinfo)
    return not start <= local < start + timedelta(minutes=break_minutes)


class TechnicianLocation(models.Model):
    """A position a technician's phone reported while on a job (for ETA and review)."""

    technician = models.ForeignKey(Technician, on_delete=models.CASCADE, related_name="locations")
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    accuracy_m = models.PositiveIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("师傅位置")
        verbose_name_plural = _("师傅位置")
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"{self.technician_id}@{self.recorded_at:%Y-%m-%d %H:%M:%S}"


class OnCallShift(models.Model):
    """A stretch of the 24-hour emergency rota: nights, weekends and holidays."""

    technician = models.ForeignKey(Technician, on_delete=models.CASCADE, related_name="on_call")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    note = models.CharField(_("备注"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("值班")
        verbose_name_plural = _("值班表")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="workforce_oncall_span")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="workforce_oncall_order"
            )
        ]

    def __str__(self):
        return f"{self.technician_id} {self.starts_at:%m-%d %H:%M}–{self.ends_at:%m-%d %H:%M}"
