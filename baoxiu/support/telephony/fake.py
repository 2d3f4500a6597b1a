"""A telephony "vendor" for tests and the demo: it accepts baoxiu's signed
webhook contract and can place calls by posting signed events to the webhook,
through a Django test client or over HTTP to a running server."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid

from baoxiu.support.telephony.signed_json import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignedJsonTelephony,
    sign,
)

WEBHOOK_PATH = "/api/v1/telephony/call-events"


class FakeTelephony(SignedJsonTelephony):
    def __init__(self, *, client=None, base_url: str = "", secret: bytes | None = None):
        self.client = client  # django.test.Client, or None to use HTTP
        self.base_url = base_url.rstrip("/")
        self.secret = secret

    def signed_request(self, payload: dict, *, timestamp: int | None = None) -> tuple[bytes, dict]:
        body = json.dumps(payload, ensure_ascii=False).encode()
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: sign(body, ts, self.secret)}
        return body, headers

    def post(self, payload: dict, *, timestamp: int | None = None):
        """Post one event; returns (status, parsed JSON body)."""
        body, headers = self.signed_request(payload, timestamp=timestamp)
        if self.client is not None:
            response = self.client.post(
                WEBHOOK_PATH, data=body, content_type="application/json", headers=headers
            )
            return response.status_code, response.json()
        request = urllib.request.Request(  # noqa: S310 - our own server's URL
            self.base_url + WEBHOOK_PATH,
            data=body,
            headers={"Content-Type": "application/json", **headers},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own server
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def ring(self, *, caller: str, called: str, agent: str = "", call_id: str = "") -> str:
        call_id = call_id or f"fake-{uuid.uuid4().hex[:12]}"
        self._expect_ok(
            {
                "event": "ringing",
                "call_id": call_id,
                "caller": caller,
                "called": called,
                "agent": agent,
            }
        )
        return call_id

    def answer(self, *, call_id: str, agent: str) -> dict:
        return self._expect_ok({"event": "answered", "call_id": call_id, "agent": agent})

    def hang_up(self, *, call_id: str, recording_ref: str = "") -> dict:
        return self._expect_ok(
            {"event": "ended", "call_id": call_id, "recording_ref": recording_ref}
        )

    def _expect_ok(self, payload: dict) -> dict:
        status, body = self.post(payload)
        if status != 200:
            raise RuntimeError(f"call-event webhook answered {status}: {body.get('code')}")
        return body
