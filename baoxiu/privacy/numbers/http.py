"""A privacy-number provider reached over HTTP with a small JSON protocol.

A vendor (or a thin gateway in front of one) implements two calls under
``settings.PRIVACY_NUMBER_URL``; every request carries
``Authorization: Bearer <PRIVACY_NUMBER_TOKEN>`` and JSON bodies are UTF-8.

``POST /bindings`` with ``Idempotency-Key: <request_id>`` and body
``{"request_id": str, "a": "13800138000", "b": "" or a number,
"expires_at": ISO 8601}`` answers 200 or 201 with
``{"binding_id": str, "x": "virtual number", "expires_at": ISO 8601}``.
Repeating a request id returns the same binding.

``DELETE /bindings/<binding_id>`` answers 200 or 204; 404 means the binding
is already gone, which counts as released.

Anything else — a timeout, a refused connection, another status, a body that
is not that JSON — raises ``ProviderError`` and the caller retries; no
number is revealed meanwhile.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

from django.conf import settings
from django.utils.dateparse import parse_datetime

from baoxiu.privacy.numbers import Bound, ProviderError


class HttpPrivacyNumbers:
    def __init__(self, *, base_url: str | None = None, token: str | None = None, timeout=None):
        self.base_url = (base_url or settings.PRIVACY_NUMBER_URL).rstrip("/")
        self.token = settings.PRIVACY_NUMBER_TOKEN if token is None else token
        self.timeout = float(timeout or settings.PRIVACY_NUMBER_TIMEOUT)
        if not self.base_url.startswith(("http://", "https://")):
            raise ProviderError("PRIVACY_NUMBER_URL is not an http(s) URL")

    def bind(self, *, request_id: str, a_number: str, b_number: str, expires_at: datetime) -> Bound:
        body = {
            "request_id": request_id,
            "a": a_number,
            "b": b_number,
            "expires_at": expires_at.isoformat(),
        }
        status, answer = self._call(
            "POST", "/bindings", body, extra_headers={"Idempotency-Key": request_id}
        )
        if status not in (200, 201) or not isinstance(answer, dict):
            raise ProviderError(f"bind refused with HTTP {status}")
        binding_id, number = answer.get("binding_id"), answer.get("x")
        expires = parse_datetime(str(answer.get("expires_at") or ""))
        if not (isinstance(binding_id, str) and binding_id and isinstance(number, str)):
            raise ProviderError("bind answer lacks binding_id or x")
        if not (number.isdigit() and 5 <= len(number) <= 20) or expires is None:
            raise ProviderError("bind answer is malformed")
        return Bound(binding_id=binding_id, virtual_number=number, expires_at=expires)

    def unbind(self, *, binding_id: str) -> None:
        path = "/bindings/" + urllib.parse.quote(binding_id, safe="")
        status, _answer = self._call("DELETE", path, None)
        if status not in (200, 204, 404):
            raise ProviderError(f"unbind refused with HTTP {status}")

    def _call(self, method: str, path: str, body, *, extra_headers=None):
        data = json.dumps(body).encode("utf-8") if body is not None else None
        headers = {"Accept": "application/json", **(extra_headers or {})}
        if data is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.base_url + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status, raw = response.status, response.read(65536)
        except urllib.error.HTTPError as exc:
            return exc.code, None
        except (OSError, ValueError) as exc:  # URLError, timeouts, resets
            raise ProviderError(f"provider unreachable: {type(exc).__name__}") from None
        if not raw:
            return status, None
        try:
            return status, json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ProviderError("provider answer is not JSON") from None
