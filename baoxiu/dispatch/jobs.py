"""Background jobs for dispatch. Thin: each calls a service and is safe to repeat."""

from datetime import timedelta

from django.utils import timezone

from baoxiu.core.queue import enqueue, job, periodic
from baoxiu.dispatch.services import (
    sla_tick,
    ticket_auto_dispatch,
    waiting_emergencies_redispatch,
)
from baoxiu.tickets.choices import EventType
from baoxiu.tickets.transitions import transition_follower


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


@job("dispatch.waiting_emergencies")
def waiting_emergencies_job(payload: dict) -> None:
    """A technician came free: emergencies nobody could reach in time are decided again."""
    waiting_emergencies_redispatch()


@periodic("dispatch.waiting_emergencies_tick", every=timedelta(minutes=1))
def waiting_emergencies_tick(payload: dict) -> None:
    """The same every minute, for shifts that start and technicians who move."""
    waiting_emergencies_redispatch()


# Events after which a technician may be free for the next job.
FREES_TECHNICIAN = {
    EventType.COMPLETED,
    EventType.CANCELLED,
    EventType.DECLINED,
    EventType.UNASSIGNED,
    EventType.ON_HOLD,
}


@transition_follower
def technician_freed(*, ticket, event) -> None:
    if event.type in FREES_TECHNICIAN:
        enqueue(
            "dispatch.waiting_emergencies",
            {},
            dedupe_key=f"waiting-emergencies:{event.pk}",
        )


@periodic("dispatch.plan_next_day", every=timedelta(minutes=30))
def plan_next_day_job(payload: dict) -> None:
    """In the evening, plan tomorrow's booked visits for every city not planned yet."""
    from baoxiu.dispatch.dayplan import plan_next_day_due

    plan_next_day_due()
