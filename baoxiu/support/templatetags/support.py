"""Partials other apps' pages include: the chat on the tracking page, the
technician's card, the official channels footer, and a ticket's chat and calls."""

from __future__ import annotations

from django import template

from baoxiu.support.selectors import (
    calls_for_ticket,
    conversation_for_ticket,
    messages_for_ticket,
)

register = template.Library()


@register.inclusion_tag("support/_track_chat.html", takes_context=True)
def ticket_chat(context, ticket):
    conversation = conversation_for_ticket(ticket)
    return {
        "ticket": ticket,
        "chat_messages": messages_for_ticket(ticket),
        "conversation": conversation,
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }


@register.inclusion_tag("support/_technician_card.html")
def technician_card(technician):
    from baoxiu.feedback.selectors import technician_rating_summary

    return {"technician": technician, "rating": technician_rating_summary(technician)}


@register.inclusion_tag("support/_ticket_support.html")
def ticket_support(ticket):
    return {
        "ticket": ticket,
        "chat_messages": messages_for_ticket(ticket),
        "calls": calls_for_ticket(ticket),
    }
