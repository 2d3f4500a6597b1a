"""Telephony vendors behind one small interface (``base.Telephony``).

``TELEPHONY_BACKEND`` names the class of the vendor module in use;
``signed_json`` is baoxiu's own webhook contract, which a PBX or CTI
middleware posts to; ``fake`` speaks it too and can place calls for tests
and the demo.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from baoxiu.support.telephony.base import Telephony


def telephony() -> Telephony:
    return import_string(settings.TELEPHONY_BACKEND)()
