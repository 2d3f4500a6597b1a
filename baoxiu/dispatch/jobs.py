"""Background jobs for dispatch. Thin: each calls a service and is safe to repeat."""

from datetime import timedelta

from django.utils import timezone

from baoxiu.core.queue import periodic
from baoxiu.dispatch.services import sla_tick


@periodic("dispatch.sla_tick", every=timedelta(seconds=30))
def sla_tick_job(payload: dict) -> None:
    """Raise SLA warnings and breaches due now (the slot time may be stale)."""
    sla_tick(now=timezone.now())
