"""Mainland resident ID numbers (居民身份证号码, GB 11643): 18 characters, the
last a check character computed with ISO 7064 MOD 11-2 over the first 17."""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext as _

from baoxiu.core.errors import ValidationFailed

_SHAPE = re.compile(r"^\d{17}[\dX]$")
# Weight of position i (0-based, left to right) is 2^(17 - i) mod 11.
_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_CHECK = "10X98765432"  # check character for (sum mod 11) = 0..10


def id_check_char(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalize_resident_id(raw: str) -> str:
    """The ID number in ``raw`` (spaces dropped, x upper-cased) or ValidationFailed.

    Checks the shape, the birth date and the check character."""
    value = re.sub(r"\s", "", raw or "").upper()
    if not _SHAPE.match(value):
        raise ValidationFailed(
            _("身份证号应为18位：17位数字加1位数字或X。"), code="id_number_invalid"
        )
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900 or born > date.today():
        raise ValidationFailed(_("身份证号中的出生日期无效。"), code="id_number_invalid")
    if id_check_char(value[:17]) != value[17]:
        raise ValidationFailed(
            _("身份证号校验位不正确，请核对后重新输入。"), code="id_number_checksum"
        )
    return value


def mask_resident_id(value: str) -> str:
    """``110105194912310021`` → ``1101**********0021``."""
    if len(value) != 18:
        return "****"
    return f"{value[:4]}{'*' * 10}{value[-4:]}"
