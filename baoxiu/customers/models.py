from django.db import models
from django.utils.translation import gettext_lazy as _

from baoxiu.core.fields import EncryptedTextField
from baoxiu.core.models import TimeStampedModel


class Customer(TimeStampedModel):
    """A person who reported a fault. Every identifying value is sealed at rest;
    ``phone_index`` (a keyed hash) finds a returning caller without decrypting."""

    name = EncryptedTextField(_("姓名"))
    phone = EncryptedTextField(_("手机号"))
    phone_index = models.CharField(max_length=40, unique=True, editable=False)
    id_number = EncryptedTextField(_("身份证号"), blank=True, default="")

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")

    def __str__(self):
        return f"客户#{self.pk}"


class Address(TimeStampedModel):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    text = EncryptedTextField(_("详细地址"))
    # The district is coarse enough to keep in the clear: dispatch and analytics need it.
    # No database constraint: an address keeps the code it was placed with even
    # if a later edition of the division table retires that code.
    division = models.ForeignKey(
        "areas.Division",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("行政区划"),
    )
    area_name = models.CharField(_("所在区县"), max_length=100, blank=True, default="")
    area_code = models.CharField(_("区划代码"), max_length=12, blank=True, default="")
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        verbose_name = _("地址")
        verbose_name_plural = _("地址")

    def __str__(self):
        return f"地址#{self.pk}（{self.area_name}）"
