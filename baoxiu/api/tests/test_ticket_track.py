import pytest

from tests.factories import make_ticket

from .helpers import TICKETS

pytestmark = pytest.mark.django_db


def track(client, ticket, token=None):
    token = ticket.tracking_token if token is None else token
    return client.get(f"{TICKETS}/{ticket.code}", {"token": token})


def test_right_token_shows_progress_with_customer_masked(client, fault_type):
    ticket = make_ticket(fault_type=fault_type)

    response = track(client, ticket)

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == ticket.code
    assert (body["status"], body["status_label"]) == ("new", "已受理")
    assert (body["priority"], body["priority_label"]) == ("normal", "普通")
    assert body["fault_type"] == {"code": "fingerprint", "name": "指纹无法识别"}
    assert (body["customer_name"], body["customer_phone"]) == ("王**", "138****8000")
    assert body["technician"] is None
    assert [
        (e["type"], e["label"], e["from_status"], e["to_status"]) for e in body["timeline"]
    ] == [("created", "工单已创建", "", "new")]
    text = response.content.decode()
    for secret in ("13800138000", "王小明", "科技园路"):
        assert secret not in text


def test_assigned_technician_card_shows_name_and_certificate(client, assigned_ticket, technician):
    response = track(client, assigned_ticket)

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["status_label"]) == ("assigned", "已派单")
    assert body["technician"] == {
        "name": "李师傅",
        "certificate_no": technician.certificate_no,
        "outlet": technician.outlet.name,
        "rating_average": None,
        "rating_count": 0,
    }
    assert body["technician_position"] is None
    assert [e["type"] for e in body["timeline"]] == ["created", "assigned"]
    # Who acted and internal notes stay with staff.
    assert set(body["timeline"][1]) == {"type", "label", "at", "from_status", "to_status"}


def test_wrong_token_is_404(client, fault_type):
    ticket = make_ticket(fault_type=fault_type)

    response = track(client, ticket, token="not-the-token")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unknown_code_is_404(client, fault_type):
    ticket = make_ticket(fault_type=fault_type)

    response = client.get(f"{TICKETS}/BX0000000000", {"token": ticket.tracking_token})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_missing_token_is_422(client, fault_type):
    ticket = make_ticket(fault_type=fault_type)

    response = client.get(f"{TICKETS}/{ticket.code}")

    assert response.status_code == 422
    assert response.json()["details"] == {"token": "为必填项。"}
