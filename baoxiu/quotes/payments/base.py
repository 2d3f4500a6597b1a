from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


class PaymentFailed(Exception):
    """The provider refused or could not take the payment."""


@dataclass(frozen=True)
class PaymentResult:
    provider: str
    reference: str


class PaymentProvider(Protocol):
    def collect(
        self, *, amount: Decimal, method: str, order_reference: str, idempotency_key: str
    ) -> PaymentResult:
        """Take ``amount`` yuan by ``method``; the same key never charges twice."""
