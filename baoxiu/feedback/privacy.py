"""The customer's complaints and ratings, for data-subject requests.

Erasure blanks the texts (what they wrote, and the desk's reply, which may
quote it) and keeps the rows: kinds, stars and times still count. The
dispatcher-board alert a complaint raised quotes its text; it keeps only
its kind.
"""

from __future__ import annotations

from django.utils import timezone

from baoxiu.feedback.models import Complaint, Rating
from baoxiu.privacy.retention import visible
from baoxiu.privacy.subjects import subject_data


def _iso(moment):
    return timezone.localtime(moment).isoformat() if moment else None


def _complaints(customer):
    return visible(Complaint.objects.filter(ticket__customer=customer)).order_by("created_at", "id")


def _ratings(customer):
    return visible(Rating.objects.filter(ticket__customer=customer)).order_by("created_at", "id")


def export_feedback(customer) -> dict:
    return {
        "complaints": [
            {
                "ticket_code": complaint.ticket.code,
                "kind": complaint.get_kind_display(),
                "text": complaint.text,
                "created_at": _iso(complaint.created_at),
                "handled_at": _iso(complaint.handled_at),
                "reply": complaint.reply,
            }
            for complaint in _complaints(customer).select_related("ticket")
        ],
        "ratings": [
            {
                "ticket_code": rating.ticket.code,
                "stars": rating.stars,
                "comment": rating.comment,
                "created_at": _iso(rating.created_at),
            }
            for rating in _ratings(customer).select_related("ticket")
        ],
    }


ERASED_ALERT_MESSAGE = "客户投诉（内容已按客户要求删除）"


def erase_feedback(customer, now) -> int:
    from baoxiu.dispatch.choices import AlertKind
    from baoxiu.dispatch.models import DispatchAlert

    changed = _complaints(customer).update(text="", reply="")
    changed += _ratings(customer).update(comment="")
    changed += DispatchAlert.objects.filter(
        ticket__customer=customer, kind=AlertKind.COMPLAINT
    ).update(message=ERASED_ALERT_MESSAGE)
    return changed


subject_data("feedback", export=export_feedback, erase=erase_feedback)
