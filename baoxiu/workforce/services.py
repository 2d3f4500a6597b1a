"""Writes on the workforce: positions reported from technicians' phones, the on-call rota."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baoxiu.core.errors import ValidationFailed
from baoxiu.workforce.models import OnCallShift, Technician, TechnicianLocation

# A phone may report as often as it likes; we keep one position per interval.
LOCATION_MIN_INTERVAL = timedelta(seconds=15)


def _coordinate(value, low: int, high: int) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(_("位置坐标格式不正确。"), code="invalid_location") from exc
    if not number.is_finite() or not low <= number <= high:
        raise ValidationFailed(_("位置坐标超出范围。"), code="invalid_location")
    return number.quantize(Decimal("0.000001"))


def technician_location_report(
    *,
    technician: Technician,
    latitude,
    longitude,
    accuracy_m: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Record a position; returns False when it came too soon after the last one.

    The rate limit is a conditional UPDATE, so two reports racing from one
    phone still store a single position for the interval.
    """
    lat = _coordinate(latitude, -90, 90)
    lng = _coordinate(longitude, -180, 180)
    accuracy = None
    if accuracy_m is not None:
        try:
            accuracy = max(0, min(int(float(accuracy_m)), 1_000_000))
        except (TypeError, ValueError):
            accuracy = None
    now = now or timezone.now()
    with transaction.atomic():
        fresh = Technician.objects.filter(pk=technician.pk).filter(
            Q(last_located_at__isnull=True) | Q(last_located_at__lte=now - LOCATION_MIN_INTERVAL)
        )
        if not fresh.update(last_latitude=lat, last_longitude=lng, last_located_at=now):
            return False
        TechnicianLocation.objects.create(
            technician=technician,
            latitude=lat,
            longitude=lng,
            accuracy_m=accuracy,
            recorded_at=now,
        )
    return True


def on_call_shift_add(
    *, technician: Technician, starts_at: datetime, ends_at: datetime, note: str = ""
) -> OnCallShift:
    if ends_at <= starts_at:
        raise ValidationFailed(_("值班结束时间须晚于开始时间。"), code="invalid_shift")
    return OnCallShift.objects.create(
        technician=technician, starts_at=starts_at, ends_at=ends_at, note=note
    )
