from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from baoxiu.core.errors import DomainError

CALL_EVENTS = ("ringing", "answered", "ended")


class SignatureInvalid(DomainError):
    code = "signature_invalid"
    status = 401

    def __init__(self, message=None, *, code=None):
        super().__init__(str(message or _("签名无效。")), code=code)


@dataclass(frozen=True)
class CallEventData:
    """One call event, as every vendor module hands it to the services."""

    call_id: str
    event: str  # one of CALL_EVENTS
    caller: str
    called: str
    agent: str  # a username or a numeric user id, "" when not known yet
    recording_ref: str
    occurred_at: datetime


class Telephony(Protocol):
    def parse_webhook(self, *, headers, body: bytes, now: datetime) -> CallEventData:
        """Check the request's signature and freshness, then parse it.

        Raises SignatureInvalid (bad, missing or stale signature) or
        ValidationFailed (a well-signed body that is not a call event).
        """
        ...


def webhook_secret() -> bytes:
    """The shared secret of the call-event webhook. Without one configured it is
    derived from the secret key, so the demo works out of the box."""
    configured = settings.TELEPHONY_WEBHOOK_SECRET
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"telephony-webhook", hashlib.sha256).digest()
