"""The line every customer SMS ends with: the official hotline and the verify link."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from baoxiu.accounts.choices import ChannelKind


def official_sms_footer(organisation) -> str:
    verify = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("support:verify")
    hotline = ""
    if organisation is not None:
        hotline = next(
            (c.value for c in organisation.channels.all() if c.kind == ChannelKind.HOTLINE), ""
        )
    if hotline:
        return _(" 官方热线%(hotline)s，核实号码或师傅：%(verify)s") % {
            "hotline": hotline,
            "verify": verify,
        }
    return _(" 核实号码或师傅：%(verify)s") % {"verify": verify}
