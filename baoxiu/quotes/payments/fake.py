"""A payment provider that takes no money: it records what it was asked, for
tests and the demo. ``fail_next`` lets a test make the next call fail."""

from __future__ import annotations

import threading
from decimal import Decimal

from baoxiu.quotes.payments.base import PaymentFailed, PaymentResult


class FakePaymentProvider:
    name = "fake"
    collected: list[dict] = []
    fail_next = False
    _lock = threading.Lock()

    def collect(
        self, *, amount: Decimal, method: str, order_reference: str, idempotency_key: str
    ) -> PaymentResult:
        with self._lock:
            if FakePaymentProvider.fail_next:
                FakePaymentProvider.fail_next = False
                raise PaymentFailed("declined by the fake provider")
            for entry in self.collected:
                if entry["key"] == idempotency_key:
                    return PaymentResult(provider=self.name, reference=entry["reference"])
            reference = f"FAKE-{len(self.collected) + 1:06d}"
            self.collected.append(
                {"key": idempotency_key, "reference": reference, "amount": amount, "method": method}
            )
        return PaymentResult(provider=self.name, reference=reference)

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls.collected.clear()
            cls.fail_next = False
