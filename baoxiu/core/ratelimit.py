"""Fixed-window-free rate limits kept in the database, shared by every process.

``allow(bucket, value, limit, window)`` counts the hits for ``value`` in the
last ``window`` and records this one if it is allowed. Values are stored as
keyed hashes (see ``blind_index``), so a limit on phone numbers keeps no phone
numbers. Old hits are pruned as new ones arrive.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from baoxiu.core.crypto import blind_index
from baoxiu.core.models import RateLimitHit


def allow(bucket: str, value: str, *, limit: int, window: timedelta) -> bool:
    if not value:
        return True
    key = blind_index(value, purpose=f"ratelimit.{bucket}")
    now = timezone.now()
    with transaction.atomic():
        recent = RateLimitHit.objects.filter(bucket=bucket, key=key, at__gt=now - window)
        if recent.count() >= limit:
            return False
        RateLimitHit.objects.create(bucket=bucket, key=key, at=now)
        RateLimitHit.objects.filter(bucket=bucket, at__lt=now - window * 2).delete()
    return True
