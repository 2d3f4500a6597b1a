from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    REVEAL = "reveal", _("查看完整信息")
    EXPORT = "export", _("导出个人信息")
    ERASE = "erase", _("删除个人信息")


class RevealField(models.TextChoices):
    PHONE = "phone", _("手机号")
    NAME = "name", _("姓名")
    ADDRESS = "address", _("详细地址")


class BindingState(models.TextChoices):
    PENDING = "pending", _("绑定中")
    BOUND = "bound", _("已绑定")
    RELEASING = "releasing", _("解绑中")
    RELEASED = "released", _("已解绑")
