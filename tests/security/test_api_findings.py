"""Regressions for what the Schemathesis suite found, pinned as plain tests."""

import pytest

from baoxiu.accounts.services import api_token_create
from baoxiu.api.tests.helpers import STAFF_TICKETS, post_json
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.django_db

HUGE = 6148676249366423901294570221076480  # beyond any database integer


@pytest.fixture
def staff_headers():
    admin = UserFactory(username="finding-admin", role="admin")
    return {"Authorization": f"Bearer {api_token_create(user=admin, name='t')}"}


# The huge offset was a 500 (SQLite: datatype mismatch; PostgreSQL: bigint out of range).
@pytest.mark.parametrize("query", [f"offset={HUGE}", f"technician={HUGE}", "technician=0"])
def test_out_of_range_numbers_in_the_list_query_are_422_not_500(client, staff_headers, query):
    response = client.get(f"{STAFF_TICKETS}?{query}", headers=staff_headers)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_out_of_range_technician_id_in_a_transition_is_422_and_changes_nothing(
    client, staff_headers, fault_type, dispatcher
):
    ticket = ticket_transition(ticket=make_ticket(fault_type=fault_type), action="dispatch")
    url = f"{STAFF_TICKETS}/{ticket.code}/transitions"

    response = post_json(client, url, {"action": "assign", "technician_id": HUGE}, **staff_headers)

    assert response.status_code == 422
    assert response.json()["details"] == {"technician_id": "不能大于9223372036854775807。"}
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version, ticket.technician_id) == ("dispatching", 2, None)
    assert Ticket.objects.count() == 1


def test_appointment_documents_the_answers_it_gives(client):
    schema = client.get("/api/v1/openapi.json").json()
    responses = schema["paths"]["/api/v1/tickets/{code}/appointment"]["post"]["responses"]

    assert set(responses) == {"200", "400", "404", "409", "415", "422"}
