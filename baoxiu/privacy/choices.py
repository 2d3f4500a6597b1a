from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    REVEAL = "reveal", _("查看完整信息")


class RevealField(models.TextChoices):
    PHONE = "phone", _("手机号")
    NAME = "name", _("姓名")
    ADDRESS = "address", _("详细地址")
