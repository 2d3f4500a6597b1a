"""Background jobs for tickets. Thin: each calls a service and is safe to repeat."""

from baoxiu.core.queue import job
from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ticket_transition


@job("tickets.start_dispatch")
def start_dispatch(payload: dict) -> None:
    """Move a new ticket into the dispatch queue (automatic assignment plugs in here)."""
    ticket = Ticket.objects.filter(pk=payload["ticket_id"]).first()
    if ticket is None or ticket.status != TicketStatus.NEW:
        return  # already dispatched, assigned by hand, or cancelled
    ticket_transition(ticket=ticket, action="dispatch")
