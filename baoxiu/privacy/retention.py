"""Records the law says to keep, and the purge of what may go.

An app whose records must outlive a data subject's erasure request declares
them once, from its ``AppConfig.ready()``::

    retain(
        "locks.OpeningRecord",
        period=timedelta(days=92),
        since="created_at",
        subject="ticket__customer",
        reason="开锁登记：按城市规定至少保存3个月",
    )

``subject`` is the lookup from that model to the customer. A model whose
rows carry their own end of retention (a local rule's period, copied into
the row) names that field with ``until=`` instead of a fixed ``period``.
A model whose rows own files gives ``purge=`` (``fn(queryset) -> int``):
it deletes the rows and their files wherever retention deletes them. Giving the
model ``objects = VisibleManager()`` hides its storage-only rows everywhere. When the customer
is erased, their rows of a retained model still inside the period are not
touched but become *storage-only*: a ``StorageOnlyRecord`` notes each one
with the moment it may go, the owning app's selectors hide it with
``visible(queryset)`` (and its erasers skip it the same way), and the
retention job deletes it once that moment has passed. Rows already past the
period are deleted with the rest of the subject's data.

``retention_purge`` (the periodic job ``privacy.retention_purge``) also
removes what no longer serves a purpose: audit rows older than the audit
retention (never less than 180 days, and PostgreSQL refuses younger ones in
the database too), tracking tokens of links that have expired, released
privacy-number bindings after 30 days, and rate-limit counters after two days.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from baoxiu.privacy.choices import BindingState
from baoxiu.privacy.models import PrivacyNumberBinding, StorageOnlyRecord

AUDIT_RETENTION_FLOOR_DAYS = 180
BINDING_KEEP = timedelta(days=30)
RATE_LIMIT_KEEP = timedelta(days=2)
EXPIRED_TOKEN_PREFIX = "expired-"


@dataclass(frozen=True)
class RetentionRule:
    model: str  # "app_label.ModelName"
    period: timedelta
    since: str  # the date-time field the period runs from
    subject: str  # lookup from the model to the customer
    reason: str
    until: str = ""  # a date-time field holding the row's own end of retention (then no period)
    purge: Callable | None = None  # fn(queryset) -> rows deleted, with whatever they own

    def model_class(self):
        return apps.get_model(self.model)

    def delete(self, queryset: QuerySet) -> int:
        if self.purge is not None:
            return self.purge(queryset)
        return queryset.delete()[0]

    def expired(self, queryset: QuerySet, now) -> QuerySet:
        if self.until:
            return queryset.filter(**{f"{self.until}__lte": now})
        return queryset.filter(**{f"{self.since}__lte": now - self.period})

    def keep_until(self, row: dict, now):
        if self.until:
            return row[self.until]
        return (row[self.since] or now) + self.period


_RULES: dict[str, RetentionRule] = {}


def retain(
    model: str,
    *,
    subject: str,
    reason: str,
    period: timedelta | None = None,
    since: str = "",
    until: str = "",
    purge: Callable | None = None,
):
    """Declare that rows of ``model`` are kept ``period`` after ``since`` (or up to
    their own ``until``), erasure or not."""
    if until:
        if period is not None or since:
            raise ValueError("a retention rule has either until= or period= and since=")
        period = timedelta(0)
    elif period is None or period <= timedelta(0) or not since:
        raise ValueError("a retention period is positive and runs from a field (since=)")
    rule = RetentionRule(
        model=model,
        period=period,
        since=since,
        subject=subject,
        reason=reason,
        until=until,
        purge=purge,
    )
    _RULES[model] = rule
    return rule


def unretain(model: str) -> None:
    _RULES.pop(model, None)


def retention_rules() -> list[RetentionRule]:
    return list(_RULES.values())


def _label(model) -> str:
    return model._meta.label


def storage_only_pks(model) -> QuerySet:
    records = StorageOnlyRecord.objects.filter(model=_label(model))
    pk = model._meta.pk
    if isinstance(pk, models.AutoField | models.BigAutoField | models.IntegerField):
        # Kept as text for any model; compared as the integer key it is.
        return records.annotate(key=Cast("object_pk", models.BigIntegerField())).values("key")
    return records.values("object_pk")


def visible(queryset: QuerySet) -> QuerySet:
    """``queryset`` without its storage-only rows: what normal pages and erasers may see."""
    model = queryset.model
    if _label(model) not in _RULES:
        return queryset
    return queryset.exclude(pk__in=storage_only_pks(model))


class VisibleManager(models.Manager):
    """A default manager for a retained model: storage-only rows never reach a page.

    ``objects = VisibleManager()`` on the model; the retention job and
    erasure reach every row through ``_base_manager``.
    """

    def get_queryset(self):
        return visible(super().get_queryset())


def storage_only(queryset: QuerySet) -> QuerySet:
    model = queryset.model
    return queryset.filter(pk__in=storage_only_pks(model))


def retention_restrict(*, customer, now) -> list[dict]:
    """For an erasure: mark the customer's retained rows storage-only, delete the expired ones.

    Returns what is kept: ``[{"model", "count", "keep_until" (latest), "reason"}]``.
    Call inside the erasure's transaction, before the erasers run.
    """
    kept = []
    for rule in retention_rules():
        model = rule.model_class()
        rows = visible(model._base_manager.filter(**{rule.subject: customer}))
        rule.delete(rule.expired(rows, now))
        fields = ["pk", rule.until or rule.since]
        records = [
            StorageOnlyRecord(
                model=rule.model,
                object_pk=str(row["pk"]),
                keep_until=rule.keep_until(row, now),
                restricted_at=now,
            )
            for row in rows.values(*fields)
        ]
        StorageOnlyRecord.objects.bulk_create(records)
        if records:
            kept.append(
                {
                    "model": rule.model,
                    "count": len(records),
                    "keep_until": max(r.keep_until for r in records),
                    "reason": rule.reason,
                }
            )
    return kept


def audit_retention_days() -> int:
    return max(AUDIT_RETENTION_FLOOR_DAYS, int(settings.AUDIT_RETENTION_DAYS))


def _purge_audit(now) -> int:
    # The model refuses deletes (append-only); this is the one sanctioned removal,
    # and the PostgreSQL trigger lets only rows older than 180 days go.
    # Never judged by a clock ahead of the real one: the database's floor uses its own.
    cutoff = min(now, timezone.now()) - timedelta(days=audit_retention_days())
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM privacy_auditentry WHERE at < %s", [cutoff])
        return cursor.rowcount


def _purge_storage_only(now) -> int:
    removed = 0
    due = StorageOnlyRecord.objects.filter(keep_until__lte=now)
    for label in due.values_list("model", flat=True).distinct():
        pks = list(due.filter(model=label).values_list("object_pk", flat=True))
        try:
            model = apps.get_model(label)
        except LookupError:
            model = None  # the app is gone; its table went with it
        if model is not None:
            rows = model._base_manager.filter(pk__in=pks)
            rule = _RULES.get(label)
            if rule is not None:
                rule.delete(rows)
            else:
                rows.delete()
        removed += due.filter(model=label, object_pk__in=pks).delete()[0]
    return removed


def _expire_tracking_tokens(now) -> int:
    from baoxiu.tickets.choices import TicketStatus
    from baoxiu.tickets.models import Ticket
    from baoxiu.tickets.selectors import TRACKING_GRACE

    cutoff = now - TRACKING_GRACE
    ended = Q(status=TicketStatus.CLOSED, closed_at__lt=cutoff) | Q(
        status=TicketStatus.CANCELLED, cancelled_at__lt=cutoff
    )
    count = 0
    stale = Ticket.objects.filter(ended, tracking_retired_at__isnull=True)
    for pk in stale.values_list("pk", flat=True).iterator():
        # The link stopped working at expiry; now its secret is gone too. The new
        # value was never sent to anyone.
        count += Ticket.objects.filter(pk=pk, tracking_retired_at__isnull=True).update(
            tracking_token=EXPIRED_TOKEN_PREFIX + secrets.token_urlsafe(24),
            tracking_retired_at=now,
        )
    return count


def retention_purge(*, now=None) -> dict[str, int]:
    """Delete what has outlived its retention; safe to run at any time, from any worker."""
    from baoxiu.core.models import RateLimitHit
    from baoxiu.privacy.bindings import bindings_expire

    now = now or timezone.now()
    with transaction.atomic():
        bindings_expire(now=now)
        return {
            "storage_only": _purge_storage_only(now),
            "audit": _purge_audit(now),
            "tracking_tokens": _expire_tracking_tokens(now),
            "privacy_numbers": PrivacyNumberBinding.objects.filter(
                state=BindingState.RELEASED, released_at__lt=now - BINDING_KEEP
            ).delete()[0],
            "rate_limits": RateLimitHit.objects.filter(at__lt=now - RATE_LIMIT_KEEP).delete()[0],
        }
