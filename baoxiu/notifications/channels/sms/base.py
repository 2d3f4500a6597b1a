from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SmsResult:
    message_id: str


class SmsChannel(Protocol):
    """What an SMS vendor module provides."""

    def send(self, *, phone: str, text: str, idempotency_key: str) -> SmsResult: ...
