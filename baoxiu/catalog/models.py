from django.db import models
from django.utils.translation import gettext_lazy as _

from baoxiu.catalog.choices import Priority


class Skill(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)

    class Meta:
        verbose_name = _("技能")
        verbose_name_plural = _("技能")
        ordering = ["code"]

    def __str__(self):
        return self.name


class LockModel(models.Model):
    code = models.SlugField(_("型号代码"), max_length=40, unique=True)
    name = models.CharField(_("型号名称"), max_length=100)
    warranty_months = models.PositiveSmallIntegerField(_("保修期（月）"), default=24)
    active = models.BooleanField(_("在售/在保"), default=True)

    class Meta:
        verbose_name = _("锁具型号")
        verbose_name_plural = _("锁具型号")
        ordering = ["code"]

    def __str__(self):
        return self.name


class FaultType(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("故障名称"), max_length=50)
    description = models.CharField(_("说明"), max_length=200, blank=True, default="")
    default_duration_minutes = models.PositiveSmallIntegerField(_("默认工时（分钟）"), default=60)
    priority = models.CharField(
        _("默认优先级"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    required_skills = models.ManyToManyField(Skill, blank=True, verbose_name=_("所需技能"))
    # Opening a door for a locked-out customer (开锁): regulated locally, so work
    # starts only after the lock-opening register is complete (baoxiu.lockopening).
    lock_opening = models.BooleanField(_("开锁业务"), default=False)
    sort_order = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("故障类型")
        verbose_name_plural = _("故障类型")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name
