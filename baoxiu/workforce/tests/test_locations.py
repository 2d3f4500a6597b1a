from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from baoxiu.core.errors import ValidationFailed
from baoxiu.tickets.transitions import ticket_transition
from baoxiu.workforce.models import Technician, TechnicianLocation
from baoxiu.workforce.selectors import technician_is_working, technicians_on_call
from baoxiu.workforce.services import on_call_shift_add, technician_location_report
from tests.factories import PASSWORD, make_ticket

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_positions_are_rate_limited(technician):
    t0 = datetime(2026, 11, 28, 9, 0, tzinfo=SHANGHAI)
    assert technician_location_report(technician=technician, latitude=22.5, longitude=113.9, now=t0)
    assert not technician_location_report(
        technician=technician, latitude=22.6, longitude=113.8, now=t0 + timedelta(seconds=10)
    )
    assert technician_location_report(
        technician=technician,
        latitude="22.51",
        longitude="113.91",
        accuracy_m="35.7",
        now=t0 + timedelta(seconds=15),
    )
    technician.refresh_from_db()
    assert (technician.last_latitude, technician.last_longitude) == (
        Decimal("22.510000"),
        Decimal("113.910000"),
    )
    assert list(TechnicianLocation.objects.values_list("accuracy_m", flat=True)) == [35, None]


@pytest.mark.parametrize(("lat", "lng"), [(91, 0), (0, 181), ("abc", 1), (None, 1), ("nan", 1)])
def test_bad_positions_are_refused(technician, lat, lng):
    with pytest.raises(ValidationFailed):
        technician_location_report(technician=technician, latitude=lat, longitude=lng)
    assert TechnicianLocation.objects.count() == 0


def test_working_hours_break_and_on_call(technician):
    day = datetime(2026, 11, 30, tzinfo=SHANGHAI)
    assert technician_is_working(technician, day.replace(hour=9))
    assert not technician_is_working(technician, day.replace(hour=12, minute=30))  # lunch
    assert not technician_is_working(technician, day.replace(hour=22))
    on_call_shift_add(
        technician=technician,
        starts_at=day.replace(hour=18, minute=30),
        ends_at=day.replace(hour=23),
    )
    assert technician_is_working(technician, day.replace(hour=22))
    assert list(technicians_on_call(day.replace(hour=22))) == [technician]
    assert list(technicians_on_call(day.replace(hour=23))) == []
    with pytest.raises(ValidationFailed):
        on_call_shift_add(technician=technician, starts_at=day, ends_at=day)


def test_location_endpoint_only_while_en_route(client, technician, dispatcher, fault_type):
    client.login(username=technician.user.username, password=PASSWORD)
    url = reverse("console:my_location")
    body = {"latitude": "22.54", "longitude": "113.95", "accuracy": "20"}
    assert client.post(url, body).status_code == 409
    ticket = make_ticket(fault_type=fault_type)
    ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)
    ticket_transition(ticket=ticket, action="accept", actor=technician.user)
    assert "data-share-location" not in client.get(reverse("console:my_jobs")).content.decode()
    ticket_transition(ticket=ticket, action="depart", actor=technician.user)
    assert "data-share-location" in client.get(reverse("console:my_jobs")).content.decode()

    response = client.post(url, body)
    assert (response.status_code, response.json()) == (200, {"stored": True})
    assert client.post(url, body).json() == {"stored": False}  # within 15 s
    bad = client.post(url, {"latitude": "999", "longitude": "1"})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_location")
    assert Technician.objects.get(pk=technician.pk).last_latitude == Decimal("22.540000")


def test_location_endpoint_is_for_technicians(client, dispatcher):
    client.login(username=dispatcher.username, password=PASSWORD)
    assert client.post(reverse("console:my_location"), {}).status_code == 403
