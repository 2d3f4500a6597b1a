import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from baoxiu.accounts.choices import ChannelKind, Role
from baoxiu.core.models import TimeStampedModel


class User(AbstractUser):
    """A staff member. Customers are not users: they hold tracking tokens."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.AGENT)
    display_name = models.CharField(_("显示名称"), max_length=50, blank=True, default="")
    # Agents and dispatchers with a region see only tickets whose address's
    # division code starts with it (baoxiu.accounts.matrix, Scope.REGION).
    region = models.CharField(
        _("负责区域"),
        max_length=12,
        blank=True,
        default="",
        db_default="",
        help_text=_("行政区划代码前缀，如 11（北京）、4403（深圳）；留空表示全部区域。"),
    )

    class Meta:
        verbose_name = _("员工账号")
        verbose_name_plural = _("员工账号")

    def __str__(self):
        return self.display_name or self.username

    def has_role(self, *roles: str) -> bool:
        return self.is_active and (self.role in roles or self.is_superuser)


class Organisation(TimeStampedModel):
    """The service organisation this deployment runs (one row)."""

    name = models.CharField(_("机构名称"), max_length=100)
    brand = models.CharField(_("品牌"), max_length=50)
    service_promise = models.CharField(_("服务承诺"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("机构信息")
        verbose_name_plural = _("机构信息")

    def __str__(self):
        return self.name


class OfficialChannel(models.Model):
    """A genuine way to reach the organisation; anyone can check a number against these."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="channels"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=ChannelKind.choices)
    value = models.CharField(_("号码或网址"), max_length=200)
    label = models.CharField(_("说明"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("官方渠道")
        verbose_name_plural = _("官方渠道")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="accounts_channel_unique")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.value}"


class ApiToken(TimeStampedModel):
    """A bearer token for integrations (call centre, mini-program); only its hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self):
        return self.name

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class LoginFailure(models.Model):
    """A failed staff login, kept an hour or so to throttle password guessing."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")

    def __str__(self):
        return f"{self.username}@{self.at:%H:%M:%S}"
