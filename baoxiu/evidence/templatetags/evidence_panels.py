"""``{% ticket_evidence_panel %}``: evidence, review, lock-opening register,
complaints and rating on the staff ticket page."""

from django import template

from baoxiu.accounts.matrix import may
from baoxiu.evidence.selectors import confirmation_for, parts_for, photos_for, review_for
from baoxiu.feedback.selectors import complaints_for, rating_for
from baoxiu.lockopening.selectors import lock_opening_missing, record_for

register = template.Library()


@register.inclusion_tag("evidence/_ticket_panel.html", takes_context=True)
def ticket_evidence_panel(context, ticket):
    user = context["request"].user
    record = record_for(ticket) if ticket.fault_type.lock_opening else None
    return {
        "ticket": ticket,
        "csrf_token": context.get("csrf_token"),
        "is_desk": may(user, "completion.review"),
        "photos": photos_for(ticket),
        "parts": parts_for(ticket),
        "confirmation": confirmation_for(ticket),
        "review": review_for(ticket),
        "lock_opening": ticket.fault_type.lock_opening,
        "record": record,
        "record_missing": lock_opening_missing(record) if ticket.fault_type.lock_opening else [],
        "complaints": complaints_for(ticket),
        "rating": rating_for(ticket),
    }


@register.inclusion_tag("evidence/_job_links.html")
def job_links(ticket):
    return {"ticket": ticket}
