from django.db import models
from django.utils.translation import gettext_lazy as _


class ConversationStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class SenderKind(models.TextChoices):
    CUSTOMER = "customer", _("客户")
    AGENT = "agent", _("客服")
    SYSTEM = "system", _("系统")


class CallState(models.TextChoices):
    RINGING = "ringing", _("振铃中")
    ANSWERED = "answered", _("通话中")
    ENDED = "ended", _("已结束")
