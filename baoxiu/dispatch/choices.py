from django.db import models
from django.utils.translation import gettext_lazy as _


class ClockKind(models.TextChoices):
    """The four promises a ticket carries, in the order they are kept."""

    DISPATCH = "dispatch", _("派单")
    ACCEPT = "accept", _("接单")
    ARRIVE = "arrive", _("上门")
    COMPLETE = "complete", _("完工")


CLOCK_ORDER = {kind: rank for rank, kind in enumerate(ClockKind.values)}


class ClockState(models.TextChoices):
    RUNNING = "running", _("计时中")
    MET = "met", _("已达成")
    BREACHED = "breached", _("已超时")
    CANCELLED = "cancelled", _("已取消")


# A clock still waiting for its step: counting down, or overdue and still waiting.
OPEN_CLOCK_STATES = (ClockState.RUNNING, ClockState.BREACHED)


class AlertKind(models.TextChoices):
    SLA_WARNING = "sla_warning", _("时限预警")
    SLA_BREACHED = "sla_breached", _("已超时")
    NO_TECHNICIAN = "no_technician", _("无可派师傅")
    LATE_RISK = "late_risk", _("无法按时到达")
    COMPLAINT = "complaint", _("客户投诉")
    COMPLETION_REVIEW = "completion_review", _("完工待审核")


class DispatchMode(models.TextChoices):
    AUTO = "auto", _("自动派单")
    SUGGEST = "suggest", _("推荐后由调度确认")
