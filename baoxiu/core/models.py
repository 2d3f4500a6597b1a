from django.db import models
from django.utils.translation import gettext_lazy as _

from baoxiu.core.choices import JobState


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class Job(models.Model):
    """One unit of background work in the database-backed queue.

    Workers claim a row with a conditional UPDATE (state and lease checked in
    the WHERE clause), so two workers never run the same job at once, on
    SQLite or PostgreSQL. ``dedupe_key`` makes enqueueing idempotent: a job
    with the same key that has not finished yet is not added twice.
    """

    name = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    dedupe_key = models.CharField(max_length=200, blank=True, default="")
    run_after = models.DateTimeField(db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=5)
    locked_by = models.CharField(max_length=100, blank=True, default="")
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        indexes = [models.Index(fields=["state", "run_after"], name="core_job_ready")]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=models.Q(state__in=["queued", "running"]) & ~models.Q(dedupe_key=""),
                name="core_job_dedupe_open",
            )
        ]

    def __str__(self):
        return f"{self.name}#{self.pk} ({self.state})"


class PeriodicSlot(models.Model):
    """The last time slot a periodic job was enqueued for (``baoxiu.core.queue.periodic``).

    One row per periodic job. A worker claims a slot with a conditional UPDATE
    (``slot_start < this slot``), so of several workers scheduling at once
    exactly one enqueues the job for that slot, and a slot whose job already
    ran is not enqueued again.
    """

    name = models.CharField(max_length=100, primary_key=True)
    slot_start = models.DateTimeField()
    enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")

    def __str__(self):
        return f"{self.name}@{self.slot_start:%Y-%m-%d %H:%M:%S}"


class RateLimitHit(models.Model):
    """One counted request for a rate limit. ``key`` is a keyed hash, never the
    raw value (the limits count phone numbers too)."""

    bucket = models.CharField(max_length=40)
    key = models.CharField(max_length=40)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["bucket", "key", "at"], name="core_ratelimit_lookup")]

    def __str__(self):
        return f"{self.bucket}:{self.key[:8]}@{self.at:%H:%M:%S}"


class OneTimeCode(models.Model):
    """A short numeric code sent to a person out of band (SMS) and read back.

    Only a keyed hash of the code is kept. ``subject`` names what the code
    unlocks (e.g. ``quote:42``) and ``purpose`` separates uses, so a code
    issued for one thing never opens another. See ``baoxiu.core.otp``.
    """

    purpose = models.CharField(max_length=40)
    subject = models.CharField(max_length=100)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("一次性验证码")
        verbose_name_plural = _("一次性验证码")
        indexes = [models.Index(fields=["purpose", "subject"], name="core_otp_subject")]

    def __str__(self):
        return f"{self.purpose}:{self.subject}"
