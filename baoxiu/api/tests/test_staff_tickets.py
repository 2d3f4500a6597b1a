import secrets

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from baoxiu.accounts.models import ApiToken
from baoxiu.accounts.services import api_token_create
from baoxiu.tickets.models import Ticket, TicketEvent
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import TechnicianFactory, make_ticket

from .helpers import STAFF_TICKETS, post_json

pytestmark = pytest.mark.django_db


def detail_url(ticket) -> str:
    return f"{STAFF_TICKETS}/{ticket.code}"


def transitions_url(ticket) -> str:
    return f"{STAFF_TICKETS}/{ticket.code}/transitions"


def codes(response) -> list[str]:
    return [item["code"] for item in response.json()["items"]]


def snapshot(ticket) -> tuple:
    ticket.refresh_from_db()
    return ticket.status, ticket.version, ticket.technician_id, ticket.events.count()


# ---- authentication ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", STAFF_TICKETS),
        ("get", f"{STAFF_TICKETS}/BX2601010001"),
        ("post", f"{STAFF_TICKETS}/BX2601010001/transitions"),
    ],
)
def test_anonymous_caller_gets_401_on_staff_endpoints(client, method, path):
    if method == "post":
        response = post_json(client, path, {"action": "dispatch"})
    else:
        response = client.get(path)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_bearer_token_authenticates(client, dispatcher, fault_type):
    ticket = make_ticket(fault_type=fault_type)
    raw = api_token_create(user=dispatcher, name="呼叫中心")

    response = client.get(STAFF_TICKETS, headers={"Authorization": f"Bearer {raw}"})

    assert response.status_code == 200
    assert codes(response) == [ticket.code]
    assert ApiToken.objects.get().last_used_at is not None


def test_bearer_token_needs_no_csrf_token(dispatcher, fault_type):
    ticket = make_ticket(fault_type=fault_type)
    raw = api_token_create(user=dispatcher, name="呼叫中心")
    client = Client(enforce_csrf_checks=True)

    response = post_json(
        client, transitions_url(ticket), {"action": "dispatch"}, Authorization=f"Bearer {raw}"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "dispatching"


def test_revoked_token_gets_401(client, dispatcher):
    raw = api_token_create(user=dispatcher, name="呼叫中心")
    ApiToken.objects.update(revoked=True)

    response = client.get(STAFF_TICKETS, headers={"Authorization": f"Bearer {raw}"})

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_unknown_token_gets_401(client, dispatcher):
    response = client.get(STAFF_TICKETS, headers={"Authorization": "Bearer bx_made-up"})

    assert response.status_code == 401


def test_token_of_deactivated_user_gets_401(client, dispatcher):
    raw = api_token_create(user=dispatcher, name="呼叫中心")
    dispatcher.is_active = False
    dispatcher.save(update_fields=["is_active"])

    response = client.get(STAFF_TICKETS, headers={"Authorization": f"Bearer {raw}"})

    assert response.status_code == 401


def test_session_post_without_csrf_token_is_refused(dispatcher, fault_type):
    ticket = make_ticket(fault_type=fault_type)
    client = Client(enforce_csrf_checks=True)
    client.force_login(dispatcher)
    before = snapshot(ticket)

    response = post_json(client, transitions_url(ticket), {"action": "dispatch"})

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert snapshot(ticket) == before


def test_session_post_with_csrf_token_is_accepted(dispatcher, fault_type):
    ticket = make_ticket(fault_type=fault_type)
    client = Client(enforce_csrf_checks=True)
    client.force_login(dispatcher)
    csrf_secret = secrets.token_hex(16)
    client.cookies["csrftoken"] = csrf_secret

    response = post_json(
        client, transitions_url(ticket), {"action": "dispatch"}, **{"X-CSRFToken": csrf_secret}
    )

    assert response.status_code == 200


# ---- list ----------------------------------------------------------------------------


def test_list_masks_customers_and_pages(client, agent, fault_type):
    first = make_ticket(fault_type=fault_type)
    second = make_ticket(fault_type=fault_type, phone="13900139000", name="欧阳娜娜")
    client.force_login(agent)

    response = client.get(STAFF_TICKETS, {"limit": 1})

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["limit"], body["offset"]) == (2, 1, 0)
    [item] = body["items"]
    assert item["code"] == second.code  # newest first
    assert (item["customer_name"], item["customer_phone"]) == ("欧***", "139****9000")
    assert (item["status_label"], item["area_name"], item["technician"]) == (
        "已受理",
        "广东省深圳市南山区",
        None,
    )
    assert codes(client.get(STAFF_TICKETS, {"limit": 1, "offset": 1})) == [first.code]
    assert "13900139000" not in response.content.decode()


def test_list_filters(client, dispatcher, fault_type, assigned_ticket, technician):
    other = make_ticket(fault_type=fault_type, phone="13900139000")
    client.force_login(dispatcher)

    assert codes(client.get(STAFF_TICKETS, {"status": "assigned"})) == [assigned_ticket.code]
    assert codes(client.get(STAFF_TICKETS, {"unassigned": "true"})) == [other.code]
    assert codes(client.get(STAFF_TICKETS, {"technician": technician.pk})) == [assigned_ticket.code]
    assert codes(client.get(STAFF_TICKETS, {"q": "139 0013 9000"})) == [other.code]
    assert codes(client.get(STAFF_TICKETS, {"q": other.code.lower()})) == [other.code]
    assert codes(client.get(STAFF_TICKETS, {"priority": "urgent"})) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 101}, "limit"), ({"offset": -1}, "offset"), ({"status": "lost"}, "status")],
)
def test_bad_list_parameters_are_422(client, agent, params, field):
    client.force_login(agent)

    response = client.get(STAFF_TICKETS, params)

    assert response.status_code == 422
    body = response.json()
    assert (body["code"], set(body["details"])) == ("validation_error", {field})


def test_technician_lists_only_their_own_jobs(
    client, fault_type, assigned_ticket, technician, other_technician, dispatcher
):
    other_job = make_ticket(fault_type=fault_type, phone="13900139000")
    ticket_transition(
        ticket=other_job, action="assign", actor=dispatcher, technician=other_technician
    )
    make_ticket(fault_type=fault_type, phone="13700137000")  # unassigned
    client.force_login(technician.user)

    response = client.get(STAFF_TICKETS)

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert codes(response) == [assigned_ticket.code]


def test_list_query_count_does_not_grow_with_rows(client, dispatcher, fault_type):
    client.force_login(dispatcher)
    make_ticket(fault_type=fault_type)
    with CaptureQueriesContext(connection) as one:
        client.get(STAFF_TICKETS)
    for n in range(4):
        tech = TechnicianFactory()
        ticket = make_ticket(fault_type=fault_type, phone=f"1390013900{n}")
        ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=tech)

    with CaptureQueriesContext(connection) as five:
        response = client.get(STAFF_TICKETS)

    assert response.json()["count"] == 5
    assert len(five) == len(one)


# ---- detail --------------------------------------------------------------------------


def test_detail_lists_the_callers_actions(client, dispatcher, fault_type):
    ticket = make_ticket(fault_type=fault_type)
    client.force_login(dispatcher)

    response = client.get(detail_url(ticket))

    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["version"], body["channel_label"]) == (ticket.code, 1, "网上报修")
    assert (body["customer_name"], body["customer_phone"]) == ("王**", "138****8000")
    assert body["address"] == {"area_name": "广东省深圳市南山区", "text": "深圳市南山区科技园路1号"}
    assert [(a["name"], a["needs_technician"]) for a in body["actions"]] == [
        ("dispatch", False),
        ("assign", True),
        ("cancel", False),
    ]
    assert [(e["type"], e["actor"]) for e in body["timeline"]] == [("created", "客户")]


def test_technician_sees_own_job_with_their_actions(client, assigned_ticket, technician):
    client.force_login(technician.user)

    response = client.get(detail_url(assigned_ticket))

    assert response.status_code == 200
    body = response.json()
    assert body["technician"]["name"] == "李师傅"
    assert [a["name"] for a in body["actions"]] == ["accept", "decline", "hold"]


def test_technician_gets_404_on_another_technicians_job(client, assigned_ticket, other_technician):
    client.force_login(other_technician.user)

    response = client.get(detail_url(assigned_ticket))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unknown_code_is_404(client, agent):
    client.force_login(agent)

    response = client.get(f"{STAFF_TICKETS}/BX0000000000")

    assert response.status_code == 404


# ---- transitions ---------------------------------------------------------------------


def test_dispatcher_assigns(client, dispatcher, fault_type, technician):
    ticket = make_ticket(fault_type=fault_type)
    client.force_login(dispatcher)

    response = post_json(
        client,
        transitions_url(ticket),
        {"action": "assign", "technician_id": technician.pk, "expected_version": 1},
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["version"]) == ("assigned", 2)
    assert body["technician"] == {
        "id": technician.pk,
        "name": "李师傅",
        "certificate_no": technician.certificate_no,
        "outlet": technician.outlet.name,
    }
    assert [e["type"] for e in body["timeline"]] == ["created", "assigned"]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.technician_id) == ("assigned", technician.pk)


def test_assign_to_an_off_duty_technician_is_refused(client, dispatcher, fault_type):
    ticket = make_ticket(fault_type=fault_type)
    off_duty = TechnicianFactory(active=False)
    client.force_login(dispatcher)
    before = snapshot(ticket)

    response = post_json(
        client, transitions_url(ticket), {"action": "assign", "technician_id": off_duty.pk}
    )

    assert response.status_code == 422
    assert response.json()["code"] == "technician_required"
    assert snapshot(ticket) == before


def test_technician_accepts_their_own_job(client, assigned_ticket, technician):
    client.force_login(technician.user)

    response = post_json(client, transitions_url(assigned_ticket), {"action": "accept"})

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["status_label"]) == ("accepted", "师傅已接单")
    assert [a["name"] for a in body["actions"]] == ["depart", "hold"]
    assigned_ticket.refresh_from_db()
    assert assigned_ticket.status == "accepted"


def test_technician_cannot_accept_another_technicians_job(
    client, assigned_ticket, other_technician
):
    client.force_login(other_technician.user)
    before = snapshot(assigned_ticket)

    response = post_json(client, transitions_url(assigned_ticket), {"action": "accept"})

    assert response.status_code == 404
    assert snapshot(assigned_ticket) == before


def test_technician_may_not_cancel_their_job(client, assigned_ticket, technician):
    client.force_login(technician.user)
    before = snapshot(assigned_ticket)

    response = post_json(
        client, transitions_url(assigned_ticket), {"action": "cancel", "note": "客户不在家"}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert snapshot(assigned_ticket) == before


def test_illegal_transition_is_409_and_changes_nothing(client, dispatcher, fault_type):
    ticket = make_ticket(fault_type=fault_type)
    client.force_login(dispatcher)
    before = snapshot(ticket)

    response = post_json(client, transitions_url(ticket), {"action": "complete"})

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert snapshot(ticket) == before
    assert before[0] == "new"


def test_stale_expected_version_is_409_and_changes_nothing(client, dispatcher, fault_type):
    ticket = make_ticket(fault_type=fault_type)
    client.force_login(dispatcher)
    before = snapshot(ticket)

    response = post_json(
        client, transitions_url(ticket), {"action": "dispatch", "expected_version": 7}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "concurrent_update"
    assert snapshot(ticket) == before


def test_missing_reason_is_422(client, dispatcher, fault_type):
    ticket = make_ticket(fault_type=fault_type)
    client.force_login(dispatcher)
    before = snapshot(ticket)

    response = post_json(client, transitions_url(ticket), {"action": "cancel"})

    assert response.status_code == 422
    assert response.json()["code"] == "reason_required"
    assert snapshot(ticket) == before


def test_transition_without_action_is_422(client, dispatcher, fault_type):
    ticket = make_ticket(fault_type=fault_type)
    client.force_login(dispatcher)

    response = post_json(client, transitions_url(ticket), {"note": "x"})

    assert response.status_code == 422
    assert response.json()["details"] == {"action": "为必填项。"}
    assert (Ticket.objects.get().status, TicketEvent.objects.count()) == ("new", 1)
