from django.db import models
from django.utils.translation import gettext_lazy as _


class QuoteStatus(models.TextChoices):
    PENDING = "pending", _("待客户确认")
    APPROVED = "approved", _("客户已同意")
    REJECTED = "rejected", _("客户已拒绝")
    SUPERSEDED = "superseded", _("已被新报价取代")
    # The ticket was reopened: this version no longer allows work; the next
    # visit needs a new quote and the customer's approval (even at ¥0).
    REOPENED = "reopened", _("工单重开，需重新报价")


class DecisionChannel(models.TextChoices):
    LINK = "link", _("客户在查询页确认")
    CODE = "code", _("客户口述验证码")


class PaymentMethod(models.TextChoices):
    WECHAT = "wechat", _("微信支付")
    ALIPAY = "alipay", _("支付宝")
    CASH = "cash", _("现金")
    CARD = "card", _("银行卡")
