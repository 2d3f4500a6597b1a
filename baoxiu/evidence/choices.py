from django.db import models
from django.utils.translation import gettext_lazy as _


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("维修前")
    AFTER = "after", _("维修后")


class OldPartFate(models.TextChoices):
    RETURNED_CUSTOMER = "customer", _("旧件已交还客户")
    RETURNED_OUTLET = "outlet", _("旧件已交回网点")
    NOT_RETURNED = "none", _("旧件未交还")


RETURNED = (OldPartFate.RETURNED_CUSTOMER, OldPartFate.RETURNED_OUTLET)


class ConfirmationMethod(models.TextChoices):
    CODE = "code", _("师傅录入客户完工码")
    CUSTOMER = "customer", _("客户在查询页确认")
    SIGNATURE = "signature", _("客户现场签名确认")
