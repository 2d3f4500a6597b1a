"""The public "is it genuine?" checks: rate limit, badge QR code and badge photo."""

from __future__ import annotations

import io
from datetime import timedelta

import segno
from django.conf import settings
from django.urls import reverse

from baoxiu.core.ratelimit import allow
from baoxiu.workforce.models import Technician


def verify_allowed(*, ip: str) -> bool:
    """Verify look-ups are limited per client address (per hour), so badge codes
    and numbers cannot be swept."""
    return allow(
        "verify.ip", ip or "unknown", limit=settings.VERIFY_LIMIT_PER_IP, window=timedelta(hours=1)
    )


def badge_verify_url(technician: Technician) -> str:
    path = reverse("support:verify_badge", kwargs={"code": technician.badge_code})
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def badge_qr_svg(technician: Technician) -> bytes:
    """The QR code printed on the badge: the absolute verify URL with the badge code."""
    out = io.BytesIO()
    segno.make(badge_verify_url(technician), error="m").save(
        out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, title="verify"
    )
    return out.getvalue()


def badge_photo(technician: Technician) -> bytes | None:
    if not technician.photo:
        return None
    try:
        with technician.photo.storage.open(technician.photo.name, "rb") as fh:
            return fh.read()
    except (FileNotFoundError, OSError):
        return None
