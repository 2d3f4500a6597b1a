from django.db import models
from django.utils.translation import gettext_lazy as _


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("地级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡级")


class ServiceAnswer(models.TextChoices):
    SERVED = "served", _("在服务范围内")
    NOT_SERVED = "not_served", _("暂不在服务范围内")
    NEED_DETAIL = "need_detail", _("需要更详细的地址")
