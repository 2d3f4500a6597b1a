from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baoxiu.catalog.models import Skill
from baoxiu.core.models import TimeStampedModel


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
    photo = models.ImageField(_("照片"), upload_to="technicians/", blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="technicians")
    home_latitude = models.DecimalField(_("常驻点纬度"), max_digits=9, decimal_places=6)
    home_longitude = models.DecimalField(_("常驻点经度"), max_digits=9, decimal_places=6)
    work_start = models.TimeField(_("上班时间"), default=time(8, 30))
    work_end = models.TimeField(_("下班时间"), default=time(18, 30))
    active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("师傅")
        verbose_name_plural = _("师傅")
        ordering = ["outlet__code", "name"]

    def __str__(self):
        return f"{self.name}（{self.certificate_no}）"

    def has_skills(self, required) -> bool:
        return set(required) <= set(self.skills.all())
