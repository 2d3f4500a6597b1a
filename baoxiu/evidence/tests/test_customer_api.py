"""The customer's side of the API, authorised by the tracking token."""

import pytest

from baoxiu.api.tests.helpers import post_json
from baoxiu.evidence.services import part_record, photo_add
from baoxiu.feedback.models import Complaint
from baoxiu.tickets.choices import TicketStatus
from tests.factories import image_file, make_ticket, ticket_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(fault_type, technician):
    ticket = ticket_at(TicketStatus.IN_PROGRESS, fault_type=fault_type, technician=technician)
    photo_add(ticket=ticket, actor=technician.user, kind="before", upload=image_file())
    part_record(
        ticket=ticket,
        actor=technician.user,
        name="锁芯",
        code="C-9",
        new_serial="N1",
        old_serial="O1",
        old_part="customer",
    )
    return ticket


def test_evidence_with_the_token(client, job):
    response = client.get(f"/api/v1/tickets/{job.code}/evidence?token={job.tracking_token}")
    assert response.status_code == 200
    body = response.json()
    photo_id = body["photos"][0]["id"]
    assert body["photos"][0]["url"] == f"/t/{job.code}/{job.tracking_token}/photos/{photo_id}/"
    assert body["parts"] == [
        {
            "id": body["parts"][0]["id"],
            "name": "锁芯",
            "code": "C-9",
            "new_serial": "N1",
            "old_serial": "O1",
            "old_part": "customer",
            "old_part_label": "旧件已交还客户",
        }
    ]
    assert body["confirmation"] is None
    response = post_json(
        client, f"/api/v1/tickets/{job.code}/confirmation?token={job.tracking_token}", {}
    )
    assert response.status_code == 200 and response.json()["method"] == "customer"
    response = post_json(
        client, f"/api/v1/tickets/{job.code}/confirmation?token={job.tracking_token}", {}
    )
    assert response.status_code == 422 and response.json()["code"] == "already_confirmed"


def test_other_token_sees_nothing(client, job, fault_type):
    other = make_ticket(fault_type=fault_type, phone="13900139000")
    response = client.get(f"/api/v1/tickets/{job.code}/evidence?token={other.tracking_token}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = post_json(
        client,
        f"/api/v1/tickets/{job.code}/complaints?token={other.tracking_token}",
        {"text": "假投诉"},
    )
    assert response.status_code == 404
    assert not Complaint.objects.exists()


def test_complaint_through_the_api(client, job):
    url = f"/api/v1/tickets/{job.code}/complaints?token={job.tracking_token}"
    response = post_json(client, url, {"kind": "escalation", "text": "请尽快"})
    assert response.status_code == 201 and response.json()["kind"] == "escalation"
    response = post_json(client, url, {"text": " "})
    assert response.status_code == 422 and response.json()["code"] == "complaint_text_required"
    assert Complaint.objects.count() == 1
