"""An SMS channel that sends nothing: it keeps messages in memory for tests and
the demo. Logs carry the masked number only."""

from __future__ import annotations

import logging
import threading

from baoxiu.core.validators import mask_mobile
from baoxiu.notifications.channels.sms.base import SmsResult

logger = logging.getLogger(__name__)


class FakeSmsChannel:
    outbox: list[dict] = []
    _lock = threading.Lock()

    def send(self, *, phone: str, text: str, idempotency_key: str) -> SmsResult:
        with self._lock:
            for sent in self.outbox:
                if sent["key"] == idempotency_key:
                    return SmsResult(message_id=sent["id"])
            message_id = f"fake-{len(self.outbox) + 1}"
            self.outbox.append(
                {"id": message_id, "key": idempotency_key, "phone": phone, "text": text}
            )
        logger.info("fake sms %s to %s", message_id, mask_mobile(phone))
        return SmsResult(message_id=message_id)

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls.outbox.clear()
