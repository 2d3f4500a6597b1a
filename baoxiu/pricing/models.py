import calendar
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baoxiu.pricing.choices import ItemKind, VersionStatus


class PriceListVersion(models.Model):
    """One edition of the price list. A draft is edited freely; once published it
    is frozen, and it is in force from ``effective_from`` until the next
    published version's ``effective_from`` (see ``calculator.version_in_force``).
    """

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    title = models.CharField(_("名称"), max_length=100)
    status = models.CharField(
        _("状态"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    effective_from = models.DateTimeField(_("生效时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.CharField(_("说明"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("价目表版本")
        verbose_name_plural = _("价目表版本")
        ordering = ["-number"]
        constraints = [
            # Two published versions never start at the same instant, so exactly
            # one is in force at any moment after the first.
            models.UniqueConstraint(
                fields=["effective_from"],
                condition=models.Q(status="published"),
                name="pricing_one_version_per_instant",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(effective_from__isnull=False),
                name="pricing_published_has_date",
            ),
        ]

    def __str__(self):
        return f"V{self.number} {self.title}"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class PriceItem(models.Model):
    """One price in a version, nationally (``division_code`` empty) or for one
    province, city or district. The most specific division wins.

    ``key`` is the fault type code (labour), the part code (part), or the kind
    itself for fees. The distance surcharge is ``amount`` per started kilometre
    beyond ``free_km``.
    """

    version = models.ForeignKey(PriceListVersion, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("类别"), max_length=10, choices=ItemKind.choices)
    key = models.CharField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    division_code = models.CharField(
        _("适用区划代码"), max_length=9, blank=True, default="", help_text=_("留空为全国价")
    )
    fault_type = models.ForeignKey(
        "catalog.FaultType", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lock_model = models.ForeignKey(
        "catalog.LockModel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("仅适用型号"),
    )
    amount = models.DecimalField(_("价格（元）"), max_digits=10, decimal_places=2)
    free_km = models.DecimalField(
        _("免费里程（公里）"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("价目")
        verbose_name_plural = _("价目")
        ordering = ["kind", "sort_order", "key", "division_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "kind", "key", "division_code"], name="pricing_item_unique"
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="pricing_amount_gte0"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name} ¥{self.amount}"


class Holiday(models.Model):
    """A public holiday (法定节假日) on which the holiday surcharge applies.

    Kept as a table because China's holidays and make-up working days change
    every year by State Council notice; operations enter them each December.
    """

    day = models.DateField(_("日期"), unique=True)
    name = models.CharField(_("节日"), max_length=30)

    class Meta:
        verbose_name = _("法定节假日")
        verbose_name_plural = _("法定节假日")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} {self.name}"


class LockSerial(models.Model):
    """One lock sold, by serial number, with the dates its warranty runs from."""

    serial = models.CharField(_("序列号"), max_length=40, unique=True)
    lock_model = models.ForeignKey(
        "catalog.LockModel", on_delete=models.PROTECT, related_name="serials"
    )
    purchased_on = models.DateField(_("购买日期"), null=True, blank=True)
    installed_on = models.DateField(_("安装日期"), null=True, blank=True)
    warranty_months = models.PositiveSmallIntegerField(
        _("保修期（月）"), null=True, blank=True, help_text=_("留空则按型号保修期")
    )
    warranty_terms = models.CharField(_("保修条款"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("锁具序列号")
        verbose_name_plural = _("锁具序列号")
        ordering = ["serial"]

    def __str__(self):
        return self.serial

    def warranty_start(self) -> date | None:
        # Installation starts the clock when known: a lock bought and stored
        # for months is not yet in use.
        return self.installed_on or self.purchased_on

    def warranty_end(self) -> date | None:
        """The last day covered."""
        start = self.warranty_start()
        if start is None:
            return None
        months = self.warranty_months or self.lock_model.warranty_months
        month_index = start.month - 1 + months
        year, month = start.year + month_index // 12, month_index % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return date(year, month, day) - timedelta(days=1)

    def in_warranty(self, on: date) -> bool:
        end = self.warranty_end()
        start = self.warranty_start()
        return end is not None and start is not None and start <= on <= end
