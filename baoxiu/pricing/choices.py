from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class ItemKind(models.TextChoices):
    LABOUR = "labour", _("人工费")
    PART = "part", _("配件")
    CALLOUT = "callout", _("上门费")
    NIGHT = "night", _("夜间加价")
    HOLIDAY = "holiday", _("节假日加价")
    DISTANCE = "distance", _("远程加价（每公里）")


# Kinds the technician picks on a quote; the others the calculator adds itself.
CHOSEN_KINDS = (ItemKind.LABOUR, ItemKind.PART)
# One price per version and division, keyed by the kind itself.
FEE_KINDS = (ItemKind.CALLOUT, ItemKind.NIGHT, ItemKind.HOLIDAY, ItemKind.DISTANCE)
