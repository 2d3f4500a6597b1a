"""``{% supervision_panel %}``: the customer's part of the tracking page — photos,
parts, completion code and confirmation, complaints, cancel, rating."""

from django import template

from baoxiu.evidence.selectors import completion_code, confirmation_for, parts_for, photos_for
from baoxiu.feedback.selectors import complaints_for, rating_for
from baoxiu.feedback.services import RATEABLE, customer_may_cancel
from baoxiu.tickets.choices import TicketStatus

register = template.Library()

SHOW_CODE = (TicketStatus.ON_SITE, TicketStatus.IN_PROGRESS, TicketStatus.COMPLETED)
CONFIRMABLE = (TicketStatus.IN_PROGRESS, TicketStatus.COMPLETED)
DONE = (TicketStatus.CLOSED, TicketStatus.CANCELLED)


@register.inclusion_tag("feedback/_supervision.html", takes_context=True)
def supervision_panel(context, ticket):
    confirmation = confirmation_for(ticket)
    rating = rating_for(ticket)
    return {
        "ticket": ticket,
        "csrf_token": context.get("csrf_token"),
        "photos": photos_for(ticket),
        "parts": parts_for(ticket),
        "confirmation": confirmation,
        "completion_code": (
            completion_code(ticket) if ticket.status in SHOW_CODE and not confirmation else ""
        ),
        "may_confirm": ticket.status in CONFIRMABLE and not confirmation,
        "complaints": complaints_for(ticket),
        "may_complain": ticket.status != TicketStatus.CANCELLED,
        "may_cancel": customer_may_cancel(ticket),
        "rating": rating,
        "may_rate": ticket.status in RATEABLE and rating is None,
    }
