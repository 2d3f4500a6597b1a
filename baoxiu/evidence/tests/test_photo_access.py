"""Photos are served only to the job's technician, staff who see the ticket,
and the holder of the ticket's own tracking link."""

import pytest

from baoxiu.evidence.services import photo_add
from baoxiu.tickets.choices import TicketStatus
from tests.factories import PASSWORD, UserFactory, image_file, make_ticket, ticket_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(fault_type, technician):
    job = ticket_at(TicketStatus.IN_PROGRESS, fault_type=fault_type, technician=technician)
    return photo_add(ticket=job, actor=technician.user, kind="before", upload=image_file())


def customer_url(ticket, token, photo):
    return f"/t/{ticket.code}/{token}/photos/{photo.pk}/"


def staff_url(photo):
    return f"/console/tickets/{photo.ticket.code}/photos/{photo.pk}/"


def test_customer_with_the_token_sees_it(client, photo):
    response = client.get(customer_url(photo.ticket, photo.ticket.tracking_token, photo))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=600"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_another_customers_token_does_not(client, photo, fault_type):
    other = make_ticket(fault_type=fault_type, phone="13900139000")
    assert client.get(customer_url(photo.ticket, other.tracking_token, photo)).status_code == 404
    # Nor the other ticket's own link pointed at this photo.
    assert client.get(customer_url(other, other.tracking_token, photo)).status_code == 404


def test_wrong_token_does_not(client, photo):
    assert client.get(customer_url(photo.ticket, "x" * 32, photo)).status_code == 404


def test_technician_of_the_job_and_desk_see_it(client, photo, technician):
    client.login(username=technician.user.username, password=PASSWORD)
    response = client.get(staff_url(photo))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    client.logout()
    UserFactory(username="agent", role="agent")
    client.login(username="agent", password=PASSWORD)
    assert client.get(staff_url(photo)).status_code == 200


def test_other_technician_does_not(client, photo, other_technician):
    client.login(username=other_technician.user.username, password=PASSWORD)
    assert client.get(staff_url(photo)).status_code == 404


def test_anonymous_does_not(client, photo):
    response = client.get(staff_url(photo))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_no_url_maps_to_the_private_directory(client, photo):
    for prefix in ("/media/", "/static/", "/private/"):
        assert client.get(prefix + photo.file_name).status_code == 404
