"""Background jobs for the lock-opening register. Thin: each calls a service."""

from datetime import timedelta

from django.utils import timezone

from baoxiu.core.queue import periodic
from baoxiu.lockopening.services import lock_opening_records_purge


@periodic("lockopening.purge", every=timedelta(hours=1))
def purge_job(payload: dict) -> None:
    """Delete register records whose retention period has passed."""
    lock_opening_records_purge(now=timezone.now())
