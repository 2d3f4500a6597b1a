"""While en route, the tracking page shows the technician's approximate
position: a rounded distance and a direction, never coordinates."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from baoxiu.dispatch.selectors import ApproximatePosition, technician_approximate_position
from baoxiu.tickets.transitions import ticket_transition
from baoxiu.workforce.models import Technician
from baoxiu.workforce.services import technician_location_report
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def en_route(fault_type, technician, dispatcher):
    ticket = make_ticket(fault_type=fault_type, address="深圳市南山区科技园路1号")
    assert ticket.address.latitude is not None
    ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)
    for action in ("accept", "depart"):
        ticket = ticket_transition(ticket=ticket, action=action, actor=technician.user)
    return ticket


def locate(technician, ticket, *, north, east, ago=timedelta(minutes=3)):
    """Report a position ``north``/``east`` degrees off the customer's address."""
    Technician.objects.filter(pk=technician.pk).update(last_located_at=None)
    lat = float(ticket.address.latitude) + north
    lng = float(ticket.address.longitude) + east
    technician_location_report(
        technician=technician,
        latitude=f"{lat:.6f}",
        longitude=f"{lng:.6f}",
        now=timezone.now() - ago,
    )
    ticket.technician.refresh_from_db()
    return f"{lat:.6f}", f"{lng:.6f}"


def test_position_is_a_rounded_distance_and_direction(en_route, technician):
    # 0.02° north is about 2.2 km; to the nearest half kilometre: 2.0.
    locate(technician, en_route, north=0.02, east=0)
    assert technician_approximate_position(en_route) == ApproximatePosition(
        distance_km=Decimal("2.0"), direction="北", minutes_ago=3
    )
    locate(technician, en_route, north=-0.03, east=0.03)
    position = technician_approximate_position(en_route)
    assert (position.direction, position.distance_km) == ("东南", Decimal("4.5"))
    locate(technician, en_route, north=0.0005, east=0)
    assert technician_approximate_position(en_route).distance_km == Decimal("0.5")


def test_tracking_page_shows_it_without_coordinates(client, en_route, technician):
    lat, lng = locate(technician, en_route, north=0.02, east=0)

    html = client.get(en_route.tracking_path()).content.decode()
    partial = client.get(en_route.tracking_path(), headers={"HX-Request": "true"})

    text = "师傅大约在您北方向 2.0 公里处（3 分钟前定位）"
    assert text in html and text in partial.content.decode()
    for exact in (lat, lng, lat[:7], lng[:8]):
        assert exact not in html


def test_no_position_unless_en_route_and_fresh(en_route, technician, client):
    locate(technician, en_route, north=0.02, east=0, ago=timedelta(minutes=16))
    assert technician_approximate_position(en_route) is None
    assert (
        'data-testid="technician-position"'
        not in client.get(en_route.tracking_path()).content.decode()
    )
    locate(technician, en_route, north=0.02, east=0)
    arrived = ticket_transition(ticket=en_route, action="arrive", actor=technician.user)
    assert technician_approximate_position(arrived) is None


def test_no_position_before_the_technician_ever_reported(en_route):
    assert en_route.technician.last_latitude is None
    assert technician_approximate_position(en_route) is None


def test_tracking_api_gives_eta_and_the_same_blurred_position(client, en_route, technician):
    lat, lng = locate(technician, en_route, north=0.02, east=0)

    response = client.get(f"/api/v1/tickets/{en_route.code}", {"token": en_route.tracking_token})

    body = response.json()
    assert body["technician_position"] == {
        "distance_km": "2.0",
        "direction": "北",
        "minutes_ago": 3,
    }
    assert body["eta"] is not None
    assert lat not in response.content.decode() and lng not in response.content.decode()
