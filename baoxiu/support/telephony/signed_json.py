"""baoxiu's own call-event webhook contract.

``POST /api/v1/telephony/call-events`` with a JSON body::

    {"event": "ringing|answered|ended", "call_id": "...", "caller": "138...",
     "called": "400-...", "agent": "username or id", "recording_ref": "...",
     "occurred_at": "ISO 8601 (optional)"}

and two headers: ``X-Baoxiu-Timestamp`` (Unix seconds) and
``X-Baoxiu-Signature: sha256=<hex>``, the HMAC-SHA256 with the shared secret
of ``"<timestamp>." + raw body``. A timestamp further than
``TELEPHONY_MAX_SKEW_SECONDS`` from our clock is refused, so a captured
request cannot be replayed later; within the window a replay is harmless,
because each (call, event) is recorded once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

from django.conf import settings
from django.utils.translation import gettext as _

from baoxiu.core.errors import ValidationFailed
from baoxiu.support.telephony.base import (
    CALL_EVENTS,
    CallEventData,
    SignatureInvalid,
    webhook_secret,
)

TIMESTAMP_HEADER = "X-Baoxiu-Timestamp"
SIGNATURE_HEADER = "X-Baoxiu-Signature"


def sign(body: bytes, timestamp: int, secret: bytes | None = None) -> str:
    mac = hmac.new(secret or webhook_secret(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _text(payload: dict, name: str, limit: int, *, required: bool = False) -> str:
    value = payload.get(name, "")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is None:
        value = ""
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise ValidationFailed(
            _("来电事件字段 %(name)s 缺失或格式不正确。") % {"name": name},
            code="invalid_event",
            details={name: "invalid"},
        )
    return value.strip()


class SignedJsonTelephony:
    def parse_webhook(self, *, headers, body: bytes, now: datetime) -> CallEventData:
        raw_ts = headers.get(TIMESTAMP_HEADER, "")
        signature = headers.get(SIGNATURE_HEADER, "")
        if not raw_ts or not signature:
            raise SignatureInvalid(_("缺少签名或时间戳。"), code="signature_missing")
        try:
            timestamp = int(raw_ts)
        except ValueError:
            raise SignatureInvalid(_("时间戳格式不正确。"), code="timestamp_invalid") from None
        if not hmac.compare_digest(sign(body, timestamp), signature):
            raise SignatureInvalid(_("签名无效。"), code="signature_invalid")
        if abs(now.timestamp() - timestamp) > settings.TELEPHONY_MAX_SKEW_SECONDS:
            raise SignatureInvalid(_("请求已过期，请勿重放。"), code="timestamp_expired")
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise ValidationFailed(_("请求体不是有效的 JSON。"), code="invalid_json") from None
        if not isinstance(payload, dict):
            raise ValidationFailed(_("请求体须为 JSON 对象。"), code="invalid_event")
        event = _text(payload, "event", 10, required=True)
        if event not in CALL_EVENTS:
            raise ValidationFailed(
                _("未知的来电事件类型。"), code="invalid_event", details={"event": "unknown"}
            )
        occurred_at = now
        if payload.get("occurred_at"):
            try:
                occurred_at = datetime.fromisoformat(_text(payload, "occurred_at", 40))
            except ValueError:
                raise ValidationFailed(
                    _("来电事件字段 %(name)s 缺失或格式不正确。") % {"name": "occurred_at"},
                    code="invalid_event",
                    details={"occurred_at": "invalid"},
                ) from None
            if occurred_at.tzinfo is None:
                occurred_at = occurred_at.replace(tzinfo=UTC)
        return CallEventData(
            call_id=_text(payload, "call_id", 64, required=True),
            event=event,
            caller=_text(payload, "caller", 30, required=event == "ringing"),
            called=_text(payload, "called", 30),
            agent=_text(payload, "agent", 150),
            recording_ref=_text(payload, "recording_ref", 200),
            occurred_at=occurred_at,
        )
