"""Validation and normalisation of values people type."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from baoxiu.core.errors import ValidationFailed

# Mainland China mobile numbers: 11 digits starting 13-19 (GB/T 13960 numbering plan).
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_mobile(raw: str) -> str:
    """Return the 11-digit mainland mobile number in ``raw`` or raise ValidationFailed.

    Accepts spaces, dashes and a +86 / 0086 / 86 prefix, as people write them.
    """
    digits = re.sub(r"[\s\-()（）]", "", raw or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix) :]
            break
    if not _MOBILE.match(digits):
        raise ValidationFailed(_("请输入有效的11位中国大陆手机号码。"), code="invalid_phone")
    return digits


def mask_mobile(number: str) -> str:
    if len(number) == 11:
        return f"{number[:3]}****{number[-4:]}"
    return "****"


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)
