"""Background jobs for dispatch. Thin: each calls a service and is safe to repeat."""

from datetime import timedelta

from django.utils import timezone

from baoxiu.core.queue import job, periodic
from baoxiu.dispatch.services import sla_tick, ticket_auto_dispatch


@periodic("dispatch.sla_tick", every=timedelta(seconds=30))
def sla_tick_job(payload: dict) -> None:
    """Raise SLA warnings and breaches due now (the slot time may be stale)."""
    sla_tick(now=timezone.now())


@job("dispatch.auto_assign")
def auto_assign_job(payload: dict) -> None:
    """Propose or assign a technician for a ticket that entered the dispatch queue."""
    ticket_auto_dispatch(ticket_id=payload["ticket_id"])


@periodic("dispatch.reoptimise", every=timedelta(minutes=5))
def reoptimise_job(payload: dict) -> None:
    """Re-plan each city's unpinned work; adopt only clearly better plans."""
    from baoxiu.dispatch.replan import reoptimise_all

    reoptimise_all()
