from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("客服")
    DISPATCHER = "dispatcher", _("调度")
    TECHNICIAN = "technician", _("师傅")
    OUTLET_MANAGER = "outlet_manager", _("网点负责人")
    OPERATIONS = "operations", _("运营经理")
    ADMIN = "admin", _("管理员")


class ChannelKind(models.TextChoices):
    HOTLINE = "hotline", _("服务热线")
    WEBSITE = "website", _("官方网站")
    WECHAT = "wechat", _("微信公众号")
