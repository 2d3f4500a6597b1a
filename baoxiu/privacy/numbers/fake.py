"""An in-process privacy-number provider for tests and the demo.

It hands out numbers from the 170 0000 range and remembers bindings in
memory; ``fail`` makes it refuse every call, to play an outage.
"""

from __future__ import annotations

import threading
from datetime import datetime

from baoxiu.privacy.numbers import Bound, ProviderError


class FakePrivacyNumbers:
    bindings: dict[str, dict] = {}  # binding id -> {"x", "a", "b", "expires_at"}
    by_request: dict[str, str] = {}
    fail = False
    _lock = threading.Lock()
    _counter = 0

    def bind(self, *, request_id: str, a_number: str, b_number: str, expires_at: datetime) -> Bound:
        cls = type(self)
        with cls._lock:
            if cls.fail:
                raise ProviderError("fake provider is down")
            binding_id = cls.by_request.get(request_id)
            if binding_id is None or binding_id not in cls.bindings:
                cls._counter += 1
                binding_id = f"fake-{cls._counter}"
                cls.by_request[request_id] = binding_id
                cls.bindings[binding_id] = {
                    "x": f"1700000{cls._counter % 10000:04d}",
                    "a": a_number,
                    "b": b_number,
                    "expires_at": expires_at,
                }
            entry = cls.bindings[binding_id]
            return Bound(binding_id, entry["x"], entry["expires_at"])

    def unbind(self, *, binding_id: str) -> None:
        cls = type(self)
        with cls._lock:
            if cls.fail:
                raise ProviderError("fake provider is down")
            cls.bindings.pop(binding_id, None)

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls.bindings.clear()
            cls.by_request.clear()
            cls.fail = False
