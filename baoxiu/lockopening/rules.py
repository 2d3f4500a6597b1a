"""The lock-opening gate: work on a lock-opening job starts only once its register
record is complete (registered from ``apps.ready``)."""

from __future__ import annotations

from baoxiu.core.errors import ValidationFailed
from baoxiu.lockopening.selectors import lock_opening_missing, record_for
from baoxiu.tickets.transitions import transition_guard


@transition_guard("start_work")
def lock_opening_register_complete(*, ticket, actor, note):
    if not ticket.fault_type.lock_opening:
        return
    missing = lock_opening_missing(record_for(ticket))
    if missing:
        first = missing[0]
        raise ValidationFailed(
            first.message, code=first.code, details={m.code: m.message for m in missing}
        )
