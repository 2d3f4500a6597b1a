from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baoxiu.areas.choices import DivisionLevel
from baoxiu.core.models import TimeStampedModel


class Division(models.Model):
    """An administrative division (GB/T 2260), loaded from ``areas/data/divisions.tsv``.

    The in-memory resolver reads the same file; this table exists so that
    coverage, addresses and analytics can point at divisions with a key.
    """

    code = models.CharField(_("区划代码"), max_length=9, primary_key=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    level = models.CharField(_("级别"), max_length=10, choices=DivisionLevel.choices)
    name = models.CharField(_("名称"), max_length=60)
    full_name = models.CharField(_("全称"), max_length=120)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    point_source = models.CharField(max_length=10, blank=True, default="")

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self):
        return self.full_name


class Coverage(TimeStampedModel):
    """An outlet serves a division (and everything inside it), with the promise made there."""

    outlet = models.ForeignKey(
        "workforce.Outlet", on_delete=models.CASCADE, related_name="coverages"
    )
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="coverages")
    emergency_available = models.BooleanField(_("提供30分钟急修"), default=False)
    response_hours = models.PositiveSmallIntegerField(_("普通工单响应时限（小时）"), default=24)
    announced_as = models.CharField(_("公布写法"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("服务覆盖")
        verbose_name_plural = _("服务覆盖")
        constraints = [
            models.UniqueConstraint(fields=["outlet", "division"], name="areas_coverage_unique")
        ]

    def __str__(self):
        return f"{self.outlet_id}→{self.division_id}"


class CoverageImport(TimeStampedModel):
    """One import of a service-area list: what was pasted, what was saved, what was not."""

    outlet = models.ForeignKey("workforce.Outlet", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("来源"), max_length=100, blank=True, default="")
    lines_total = models.PositiveIntegerField(default=0)
    lines_saved = models.PositiveIntegerField(default=0)
    # Lines not saved, with the reason: [{"line": 3, "input": "...", "status": "unresolved"}]
    skipped = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("覆盖导入记录")
        verbose_name_plural = _("覆盖导入记录")

    def __str__(self):
        return f"{self.outlet_id}@{self.created_at:%Y-%m-%d %H:%M}"
