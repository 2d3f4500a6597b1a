"""The customer's share of the desk's records, for data-subject requests.

Chats linked to their tickets (each message may hold a number or an
address) are exported and deleted with their tokens; their calls — found by
the ticket, the customer link or the caller's number — are exported, then
kept as counted calls with the number, its look-up hash and the recording
reference blanked. A chat never linked to a ticket names nobody we can
find, and is not touched.
"""

from __future__ import annotations

from django.db.models import Q

from baoxiu.privacy.retention import visible
from baoxiu.privacy.subjects import subject_data
from baoxiu.support.models import CallRecord, Conversation


def _iso(moment):
    from django.utils import timezone

    return timezone.localtime(moment).isoformat() if moment else None


def _conversations(customer):
    return visible(Conversation.objects.filter(ticket__customer=customer)).order_by("id")


def _calls(customer):
    match = Q(customer=customer) | Q(ticket__customer=customer)
    if customer.phone_index:
        match |= Q(caller_index=customer.phone_index)
    return visible(CallRecord.objects.filter(match)).order_by("started_at", "id")


def export_support(customer) -> dict:
    return {
        "conversations": [
            {
                "ticket_code": conversation.ticket.code if conversation.ticket else None,
                "created_at": _iso(conversation.created_at),
                "status": conversation.get_status_display(),
                "messages": [
                    {
                        "from": message.get_sender_display(),
                        "at": _iso(message.created_at),
                        "text": message.body,
                    }
                    for message in conversation.messages.all()
                ],
            }
            for conversation in _conversations(customer).select_related("ticket")
        ],
        "calls": [
            {
                "caller": call.caller,
                "called_number": call.called_number,
                "state": call.get_state_display(),
                "ticket_code": call.ticket.code if call.ticket else None,
                "recording_ref": call.recording_ref,
                "started_at": _iso(call.started_at),
                "answered_at": _iso(call.answered_at),
                "ended_at": _iso(call.ended_at),
            }
            for call in _calls(customer).select_related("ticket")
        ],
    }


def erase_support(customer, now) -> int:
    changed = _conversations(customer).delete()[0]  # their messages go with them
    changed += _calls(customer).update(caller="", caller_index="", recording_ref="", customer=None)
    return changed


subject_data("support", export=export_support, erase=erase_support)
