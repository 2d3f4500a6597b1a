"""The demo network's lock-opening register and evidence follow the live rules."""

import pytest

from baoxiu.demo.services import demo_network_load
from baoxiu.evidence.models import CompletionConfirmation, CompletionReview, JobPhoto
from baoxiu.evidence.selectors import evidence_missing
from baoxiu.lockopening.models import LockOpeningPolicy, LockOpeningRecord
from baoxiu.lockopening.selectors import lock_opening_missing
from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.models import Ticket

pytestmark = pytest.mark.django_db

WORKED = (TicketStatus.IN_PROGRESS, TicketStatus.COMPLETED, TicketStatus.CLOSED)


def test_demo_lock_opening_and_evidence():
    demo_network_load(scale=0.3)
    assert LockOpeningPolicy.objects.filter(division_prefix="").exists()
    lockouts = Ticket.objects.filter(fault_type__lock_opening=True, status__in=WORKED)
    assert lockouts.exists()
    for ticket in lockouts:
        record = LockOpeningRecord.objects.get(ticket=ticket)
        assert lock_opening_missing(record) == []
        assert record.id_number_masked.startswith("1101") and len(record.id_number) == 18
    done = Ticket.objects.filter(status__in=(TicketStatus.COMPLETED, TicketStatus.CLOSED))
    for ticket in done:
        assert evidence_missing(ticket) == []
    assert JobPhoto.objects.exists()
    # Closed tickets were confirmed or reviewed; a few completed ones wait for the desk.
    for ticket in done.filter(status=TicketStatus.CLOSED):
        assert CompletionConfirmation.objects.filter(ticket=ticket).exists()
    assert not CompletionReview.objects.filter(
        resolved_at__isnull=True, ticket__status=TicketStatus.CLOSED
    ).exists()
