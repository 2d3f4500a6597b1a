"""The technician's card on the tracking page shows their ratings."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baoxiu.feedback.selectors import RatingSummary, technician_rating_summary
from baoxiu.feedback.services import rating_create
from baoxiu.tickets.choices import TicketStatus
from tests.factories import TechnicianFactory, ticket_at

pytestmark = pytest.mark.django_db


def rated(stars, *, fault_type, technician):
    ticket = ticket_at(TicketStatus.COMPLETED, fault_type=fault_type, technician=technician)
    rating_create(ticket=ticket, stars=stars, comment="")
    return ticket


def test_summary_averages_only_this_technicians_ratings(fault_type, technician):
    other = TechnicianFactory()
    for stars in (5, 4, 4):
        rated(stars, fault_type=fault_type, technician=technician)
    rated(1, fault_type=fault_type, technician=other)

    with CaptureQueriesContext(connection) as queries:
        summary = technician_rating_summary(technician)

    assert summary == RatingSummary(average=Decimal("4.3"), count=3)
    assert len(queries) == 1
    assert technician_rating_summary(other) == RatingSummary(average=Decimal("1.0"), count=1)


def test_summary_without_ratings_is_empty(technician):
    assert technician_rating_summary(technician) == RatingSummary(average=None, count=0)


def test_tracking_card_shows_average_and_count(client, fault_type, technician):
    for stars in (5, 4):
        rated(stars, fault_type=fault_type, technician=technician)
    ticket = ticket_at(TicketStatus.ASSIGNED, fault_type=fault_type, technician=technician)

    html = client.get(ticket.tracking_path()).content.decode()

    assert '<dd data-testid="technician-rating">4.5 分（2 条评价）</dd>' in html
    assert "暂无评分" not in html


def test_tracking_card_without_ratings_says_so(client, fault_type, technician):
    ticket = ticket_at(TicketStatus.ASSIGNED, fault_type=fault_type, technician=technician)

    html = client.get(ticket.tracking_path()).content.decode()

    assert '<dd class="muted" data-testid="technician-rating">暂无评分</dd>' in html
