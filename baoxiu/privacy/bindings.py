"""Privacy-number bindings follow the ticket's technician.

``privacy_numbers_follow`` runs inside every ticket transition
(``@transition_follower``): an assignment opens a binding for the new
technician, and anything that takes the technician away — decline, unassign,
reopen — or ends the job — complete, close, cancel — releases the bindings
of the ticket. Opening and releasing only write rows and enqueue jobs in
the transition's transaction; the jobs call the provider, so a slow or
failing provider never blocks a status change, and a job that fails is
retried by the queue (5 s, 10 s, 20 s, ... apart).

Until a binding is confirmed, and after it is released or expired, the
technician is shown no number but "privacy number unavailable, contact
customer service": the real number is never the fallback.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baoxiu.core.queue import enqueue
from baoxiu.privacy.choices import BindingState
from baoxiu.privacy.models import PrivacyNumberBinding
from baoxiu.privacy.numbers import privacy_number_provider
from baoxiu.tickets.choices import EventType
from baoxiu.tickets.transitions import transition_follower

RELEASE_EVENTS = frozenset(
    {
        EventType.DECLINED,
        EventType.UNASSIGNED,
        EventType.REOPENED,
        EventType.COMPLETED,
        EventType.CLOSED,
        EventType.CANCELLED,
    }
)
LIVE_STATES = (BindingState.PENDING, BindingState.BOUND)
BIND_ATTEMPTS = 6
UNBIND_ATTEMPTS = 10


@transition_follower
def privacy_numbers_follow(*, ticket, event) -> None:
    if event.type in RELEASE_EVENTS or event.type == EventType.ASSIGNED:
        bindings_release(ticket=ticket)
    if event.type == EventType.ASSIGNED and ticket.technician_id:
        binding_open(ticket=ticket)


def binding_open(*, ticket) -> PrivacyNumberBinding:
    """Start binding a virtual number for the ticket's current technician.

    Call inside the transaction that assigned the technician; the bind job
    commits with it.
    """
    binding = PrivacyNumberBinding.objects.create(ticket=ticket, technician_id=ticket.technician_id)
    enqueue(
        "privacy.number_bind",
        {"binding_id": binding.pk},
        dedupe_key=f"privacy-bind:{binding.pk}",
        max_attempts=BIND_ATTEMPTS,
    )
    return binding


def bindings_release(*, ticket) -> int:
    """Stop showing every live binding of the ticket and queue their release at once."""
    released = 0
    for binding in PrivacyNumberBinding.objects.filter(ticket=ticket, state__in=LIVE_STATES):
        # A bind job still talking to the provider sees the state change and gives
        # the number back itself (privacy_number_bind).
        if PrivacyNumberBinding.objects.filter(pk=binding.pk, state=binding.state).update(
            state=BindingState.RELEASING
        ):
            _enqueue_unbind(binding.pk)
            released += 1
    return released


def _enqueue_unbind(binding_id: int, *, suffix: str = "") -> None:
    enqueue(
        "privacy.number_unbind",
        {"binding_id": binding_id},
        dedupe_key=f"privacy-unbind:{binding_id}{suffix}",
        max_attempts=UNBIND_ATTEMPTS,
    )


def privacy_number_bind(*, binding_id: int) -> None:
    """Job: ask the provider for a virtual number. Idempotent: the request id is
    the binding's, and a binding no longer pending is left alone.

    Raises ProviderError on failure, so the queue retries it.
    """
    binding = (
        PrivacyNumberBinding.objects.select_related("ticket__customer", "technician")
        .filter(pk=binding_id)
        .first()
    )
    if binding is None or binding.state != BindingState.PENDING:
        return
    now = timezone.now()
    result = privacy_number_provider().bind(
        request_id=f"baoxiu-binding-{binding.pk}",
        a_number=binding.ticket.customer.phone,
        # AXB: the virtual number connects the customer with this technician's
        # phone only (AX, any caller, when no phone is on record).
        b_number=binding.technician.phone,
        expires_at=now + timedelta(hours=settings.PRIVACY_NUMBER_HOURS),
    )
    won = PrivacyNumberBinding.objects.filter(pk=binding.pk, state=BindingState.PENDING).update(
        state=BindingState.BOUND,
        virtual_number=result.virtual_number,
        provider_ref=result.binding_id,
        expires_at=result.expires_at,
        bound_at=now,
    )
    if not won:
        # Released while the provider was answering: give the number back.
        PrivacyNumberBinding.objects.filter(pk=binding.pk).update(
            state=BindingState.RELEASING, provider_ref=result.binding_id
        )
        _enqueue_unbind(binding.pk, suffix=":late")


def privacy_number_unbind(*, binding_id: int) -> None:
    """Job: release the binding at the provider. Idempotent; raises ProviderError on failure."""
    binding = PrivacyNumberBinding.objects.filter(pk=binding_id).first()
    if binding is None or binding.state != BindingState.RELEASING:
        return
    if binding.provider_ref:
        privacy_number_provider().unbind(binding_id=binding.provider_ref)
    PrivacyNumberBinding.objects.filter(pk=binding.pk, state=BindingState.RELEASING).update(
        state=BindingState.RELEASED, released_at=timezone.now()
    )


SWEEP_AFTER = timedelta(minutes=5)


def bindings_sweep(*, now=None) -> int:
    """Start over the provider calls the queue gave up on (its last retry failed):
    a binding still pending or releasing after five minutes with no job of its own
    waiting gets a fresh one. Returns how many jobs were queued."""
    now = now or timezone.now()
    queued = 0
    stale = PrivacyNumberBinding.objects.filter(
        state__in=(BindingState.PENDING, BindingState.RELEASING), created_at__lt=now - SWEEP_AFTER
    )
    for pk, state in stale.values_list("pk", "state"):
        if state == BindingState.PENDING:
            job_row = enqueue(
                "privacy.number_bind",
                {"binding_id": pk},
                dedupe_key=f"privacy-bind:{pk}",
                max_attempts=BIND_ATTEMPTS,
            )
        else:
            job_row = enqueue(
                "privacy.number_unbind",
                {"binding_id": pk},
                dedupe_key=f"privacy-unbind:{pk}",
                max_attempts=UNBIND_ATTEMPTS,
            )
        queued += job_row is not None
    return queued


def bindings_expire(*, now=None) -> int:
    """Bound numbers past their expiry are no longer shown; the provider dropped them."""
    now = now or timezone.now()
    with transaction.atomic():
        return PrivacyNumberBinding.objects.filter(
            state=BindingState.BOUND, expires_at__lte=now
        ).update(state=BindingState.RELEASED, released_at=now)


# ---- what the technician sees --------------------------------------------------------


@dataclass(frozen=True)
class ContactNumber:
    available: bool
    number: str  # the virtual number, or "" when unavailable
    message: str


def live_numbers_of_technician(*, technician_id: int, now=None) -> dict[int, str]:
    """Ticket id -> virtual number, for every live binding of this technician (one query)."""
    now = now or timezone.now()
    return dict(
        PrivacyNumberBinding.objects.filter(
            technician_id=technician_id, state=BindingState.BOUND, expires_at__gt=now
        )
        .order_by("id")
        .values_list("ticket_id", "virtual_number")
    )


def contact_number_from(number: str | None) -> ContactNumber:
    if not number:
        return ContactNumber(False, "", _("隐私号暂不可用，请联系客服"))
    return ContactNumber(True, number, _("请拨打隐私号联系客户"))


def contact_number_for_technician(*, ticket, now=None) -> ContactNumber:
    """The number a technician calls to reach the ticket's customer: the live
    virtual number of their own binding, or none at all."""
    if not ticket.technician_id:
        return contact_number_from(None)
    numbers = live_numbers_of_technician(technician_id=ticket.technician_id, now=now)
    return contact_number_from(numbers.get(ticket.pk))
