"""How evidence takes part in the ticket lifecycle (registered from ``apps.ready``).

- ``complete`` is refused until the fault type's evidence rule is met.
- A completion without the customer's confirmation opens a review for the desk.
- ``close`` is refused while that review is open.
- Reopening clears the confirmation: the next completion needs a new one.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from baoxiu.core.errors import IllegalTransition, ValidationFailed
from baoxiu.evidence.models import CompletionConfirmation, CompletionReview
from baoxiu.evidence.selectors import evidence_missing
from baoxiu.tickets.choices import EventType
from baoxiu.tickets.transitions import transition_follower, transition_guard


@transition_guard("complete")
def evidence_before_completion(*, ticket, actor, note):
    missing = evidence_missing(ticket)
    if missing:
        first = missing[0]
        raise ValidationFailed(
            first.message, code=first.code, details={m.code: m.message for m in missing}
        )


@transition_guard("close")
def no_close_while_under_review(*, ticket, actor, note):
    if CompletionReview.objects.filter(ticket=ticket, resolved_at__isnull=True).exists():
        raise IllegalTransition(
            _("完工未经客户确认，须先由客服审核通过才能关闭工单。"),
            code="completion_review_pending",
        )


@transition_follower
def completion_follows(*, ticket, event):
    from baoxiu.evidence.services import completion_review_open

    if event.type == EventType.COMPLETED:
        if not CompletionConfirmation.objects.filter(ticket=ticket).exists():
            completion_review_open(
                ticket=ticket, reason=_("完工未经客户确认（无完工码、客户未在查询页确认）")
            )
    elif event.type == EventType.REOPENED:
        from django.db import transaction

        from baoxiu.evidence.files import image_delete

        signed = CompletionConfirmation.objects.filter(ticket=ticket).exclude(signature_file="")
        for name in signed.values_list("signature_file", flat=True):
            transaction.on_commit(lambda name=name: image_delete(name))
        CompletionConfirmation.objects.filter(ticket=ticket).delete()
