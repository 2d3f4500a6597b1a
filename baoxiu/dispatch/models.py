from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from baoxiu.catalog.choices import Priority
from baoxiu.core.fields import EncryptedTextField
from baoxiu.core.models import TimeStampedModel
from baoxiu.dispatch.choices import AlertKind, ClockKind, ClockState, DispatchMode


class SlaPolicy(TimeStampedModel):
    """How long each step of a ticket may take, for a priority in a division.

    A policy without a division is the default for its priority; one with a
    division applies to tickets whose address lies in that division or below
    it, the nearest division winning. Dispatch, arrival and completion count
    from the ticket's creation (the promise made to the customer); acceptance
    counts from each assignment (the technician's response).
    """

    priority = models.CharField(_("优先级"), max_length=10, choices=Priority.choices)
    division = models.ForeignKey(
        "areas.Division",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("适用区划"),
        help_text=_("留空为该优先级的默认时限；填写则适用于该区划及其下级区划。"),
    )
    dispatch_minutes = models.PositiveIntegerField(_("派单时限（分钟）"))
    accept_minutes = models.PositiveIntegerField(_("接单时限（分钟）"))
    arrive_minutes = models.PositiveIntegerField(_("上门时限（分钟）"))
    complete_minutes = models.PositiveIntegerField(_("完工时限（分钟）"))
    warn_fraction = models.DecimalField(
        _("预警比例"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.80"),
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("0.99"))],
        help_text=_("用去时限的这一比例时发出预警，例如 0.80。"),
    )

    class Meta:
        verbose_name = _("时限规则")
        verbose_name_plural = _("时限规则")
        ordering = ["priority", "division_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["priority", "division"], name="dispatch_slapolicy_priority_division"
            ),
            models.UniqueConstraint(
                fields=["priority"],
                condition=Q(division__isnull=True),
                name="dispatch_slapolicy_one_default",
            ),
            models.CheckConstraint(
                condition=Q(warn_fraction__gt=0) & Q(warn_fraction__lt=1),
                name="dispatch_slapolicy_warn_fraction",
            ),
        ]

    def __str__(self):
        scope = self.division_id or _("默认")
        return f"{self.get_priority_display()} / {scope}"

    def minutes_for(self, kind: str) -> int:
        return getattr(self, f"{kind}_minutes")


class SlaClock(models.Model):
    """One deadline of one ticket, kept in the database so it survives restarts.

    ``state`` is the outcome so far: running (counting down), breached
    (deadline passed; ``met_at`` stays empty until the step is done late),
    met (done in time) or cancelled. ``warned_at`` and ``breached_at`` record
    when the warning and the breach were raised; each is set once, by a
    conditional UPDATE, so a raise happens exactly once however many workers
    tick. A ticket has at most one open clock per kind.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="sla_clocks"
    )
    kind = models.CharField(_("时限"), max_length=10, choices=ClockKind.choices)
    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    started_at = models.DateTimeField(_("起算时间"))
    warn_at = models.DateTimeField(_("预警时间"))
    due_at = models.DateTimeField(_("到期时间"))
    warned_at = models.DateTimeField(_("已预警于"), null=True, blank=True)
    breached_at = models.DateTimeField(_("已超时于"), null=True, blank=True)
    met_at = models.DateTimeField(_("完成于"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消于"), null=True, blank=True)

    class Meta:
        verbose_name = _("时限计时")
        verbose_name_plural = _("时限计时")
        ordering = ["ticket_id", "id"]
        indexes = [
            models.Index(fields=["state", "warn_at"], name="dispatch_clock_warn"),
            models.Index(fields=["state", "due_at"], name="dispatch_clock_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind"],
                condition=Q(state__in=["running", "breached"], met_at__isnull=True),
                name="dispatch_slaclock_one_open",
            )
        ]

    def __str__(self):
        return f"{self.ticket_id}:{self.kind} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.state in (ClockState.RUNNING, ClockState.BREACHED)


class DispatchAlert(models.Model):
    """Something the dispatcher board must show until someone acknowledges it."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="dispatch_alerts"
    )
    clock = models.ForeignKey(
        SlaClock, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=AlertKind.choices)
    # May quote the customer's words (a complaint): sealed at rest.
    message = EncryptedTextField(_("内容"))
    created_at = models.DateTimeField(_("时间"), db_index=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )

    class Meta:
        verbose_name = _("调度提醒")
        verbose_name_plural = _("调度提醒")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(acknowledged_at__isnull=True),
                name="dispatch_alert_open",
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["clock", "kind"], name="dispatch_alert_once_per_clock")
        ]

    def __str__(self):
        return f"{self.ticket_id}:{self.kind}"


class DispatchSuggestion(models.Model):
    """What the platform proposed for a ticket when it became dispatchable.

    ``candidates`` holds the top choices with their ETA and the reason, as the
    dispatcher board shows them; ``on_time`` says whether the best one arrives
    within the ticket's promise.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="dispatch_suggestions"
    )
    created_at = models.DateTimeField(db_index=True)
    mode = models.CharField(max_length=10, choices=DispatchMode.choices)
    candidates = models.JSONField(default=list)
    on_time = models.BooleanField(default=False)
    assigned = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("派单推荐")
        verbose_name_plural = _("派单推荐")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.ticket_id}@{self.created_at:%H:%M:%S}"


class SlotLoad(models.Model):
    """Minutes of booked appointments an outlet holds in one visit window.

    Booking adds to ``booked_minutes`` with a conditional UPDATE that cannot
    pass the window's capacity, so two customers racing for the last place in
    a window cannot both get it.
    """

    outlet = models.ForeignKey("workforce.Outlet", on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    booked_minutes = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("预约占用")
        verbose_name_plural = _("预约占用")
        constraints = [
            models.UniqueConstraint(fields=["outlet", "starts_at"], name="dispatch_slotload_unique")
        ]

    def __str__(self):
        return f"{self.outlet_id}@{self.starts_at:%m-%d %H:%M}: {self.booked_minutes}"


class DayPlan(models.Model):
    """The batch plan of one city's booked visits for one day (replaced when re-planned)."""

    day = models.DateField(_("日期"))
    area = models.CharField(_("城市区划前缀"), max_length=12)
    engine = models.CharField(_("求解器"), max_length=20)
    fallback = models.CharField(_("改用原因"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("生成时间"))
    # [{"technician_id": 1, "stops": [{"ticket_id", "code", "arrive", "start"}, ...]}, ...]
    routes = models.JSONField(default=list)
    unplanned = models.JSONField(default=list)  # ticket codes no route could take

    class Meta:
        verbose_name = _("次日计划")
        verbose_name_plural = _("次日计划")
        ordering = ["-day", "area"]
        constraints = [
            models.UniqueConstraint(fields=["day", "area"], name="dispatch_dayplan_one_per_city")
        ]

    def __str__(self):
        return f"{self.area}@{self.day}"
