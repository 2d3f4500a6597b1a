"""One-time codes: six random digits, valid ten minutes, used once, stored hashed.

``otp_issue`` returns the code in the clear exactly once, for the caller to
send; the database keeps an HMAC of it (keyed with the blind-index key and
bound to purpose and subject), so a database reader cannot replay it.
Issuing a new code for the same purpose and subject revokes the earlier ones.
``otp_verify`` allows ``MAX_ATTEMPTS`` wrong tries per code, then the code
is dead and a new one must be sent. Counters move with conditional UPDATEs so
two concurrent guesses cannot both be counted as the last allowed one, and a
right code cannot be used twice.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from baoxiu.core.errors import ValidationFailed
from baoxiu.core.models import OneTimeCode

DIGITS = 6
LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5


class CodeRejected(ValidationFailed):
    code = "otp_invalid"


def _digest(*, purpose: str, subject: str, code: str) -> str:
    key = settings.BLIND_INDEX_KEY.encode("utf-8")
    message = f"otp\x00{purpose}\x00{subject}\x00{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def otp_issue(*, purpose: str, subject: str) -> tuple[OneTimeCode, str]:
    """A new code for ``subject``; earlier live codes for it stop working.

    Returns the row and the code in the clear; the caller sends it and must
    not store or log it.
    """
    code = "".join(secrets.choice("0123456789") for _ in range(DIGITS))
    now = timezone.now()
    with transaction.atomic():
        OneTimeCode.objects.filter(
            purpose=purpose, subject=subject, used_at__isnull=True, revoked=False
        ).update(revoked=True)
        record = OneTimeCode.objects.create(
            purpose=purpose,
            subject=subject,
            code_hash=_digest(purpose=purpose, subject=subject, code=code),
            expires_at=now + LIFETIME,
        )
    return record, code


def otp_verify(*, purpose: str, subject: str, code: str) -> OneTimeCode:
    """Consume the live code for ``subject`` if ``code`` matches it.

    Raises CodeRejected (``otp_invalid``, ``otp_expired``, ``otp_locked`` or
    ``otp_missing``) otherwise; a wrong code counts one attempt.
    """
    code = (code or "").strip()
    now = timezone.now()
    record = (
        OneTimeCode.objects.filter(
            purpose=purpose, subject=subject, used_at__isnull=True, revoked=False
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if record is None:
        raise CodeRejected(_("没有有效的验证码，请重新获取。"), code="otp_missing")
    if record.expires_at <= now:
        raise CodeRejected(_("验证码已过期，请重新获取。"), code="otp_expired")
    if record.attempts >= MAX_ATTEMPTS:
        raise CodeRejected(_("验证码错误次数过多，请重新获取。"), code="otp_locked")
    expected = _digest(purpose=purpose, subject=subject, code=code)
    if not (len(code) == DIGITS and hmac.compare_digest(expected, record.code_hash)):
        counted = OneTimeCode.objects.filter(
            pk=record.pk, attempts__lt=MAX_ATTEMPTS, used_at__isnull=True
        ).update(attempts=F("attempts") + 1)
        left = MAX_ATTEMPTS - record.attempts - 1
        if not counted or left <= 0:
            raise CodeRejected(_("验证码错误次数过多，请重新获取。"), code="otp_locked")
        raise CodeRejected(
            _("验证码不正确，还可尝试 %(left)d 次。") % {"left": left}, code="otp_invalid"
        )
    used = OneTimeCode.objects.filter(
        pk=record.pk, used_at__isnull=True, revoked=False, attempts__lt=MAX_ATTEMPTS
    ).update(used_at=now)
    if not used:
        raise CodeRejected(_("验证码已使用，请重新获取。"), code="otp_missing")
    record.used_at = now
    return record
