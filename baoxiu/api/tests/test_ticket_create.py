import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from baoxiu.core.models import Job
from baoxiu.customers.models import Customer
from baoxiu.tickets.models import IdempotencyRecord, Ticket
from tests.factories import FaultTypeFactory

from .helpers import TICKETS, post_json, report_body

pytestmark = pytest.mark.django_db


def assert_nothing_written():
    counts = (Ticket.objects.count(), Customer.objects.count(), Job.objects.count())
    assert counts == (0, 0, 0)


def test_anonymous_report_creates_ticket(client, fault_type):
    response = post_json(client, TICKETS, report_body())

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"code", "tracking_token", "tracking_url", "status", "created_at"}
    assert re.fullmatch(r"BX\d{6}\d{4}", body["code"])
    assert body["code"] == f"BX{timezone.localdate():%y%m%d}0001"
    assert body["status"] == "new"
    assert body["tracking_url"] == (
        f"http://127.0.0.1:8000/t/{body['code']}/{body['tracking_token']}/"
    )
    ticket = Ticket.objects.get()
    assert (ticket.code, ticket.tracking_token) == (body["code"], body["tracking_token"])
    assert (ticket.channel, ticket.created_by) == ("api", None)
    assert (ticket.customer.phone, ticket.address.area_name) == (
        "13800138000",
        "广东省深圳市南山区",
    )


def test_staff_caller_is_recorded_and_may_log_a_phone_report(client, fault_type, agent):
    client.force_login(agent)

    response = post_json(client, TICKETS, report_body(channel="phone"))

    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.created_by) == ("phone", agent)


def test_anonymous_caller_may_not_claim_a_phone_report(client, fault_type):
    response = post_json(client, TICKETS, report_body(channel="phone"))

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert_nothing_written()


def test_staff_session_without_csrf_token_is_refused(fault_type, agent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)

    response = post_json(client, TICKETS, report_body(channel="phone"))

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert_nothing_written()


def test_retry_with_same_key_returns_the_same_ticket(client, fault_type):
    first = post_json(client, TICKETS, report_body(), **{"Idempotency-Key": "retry-1"})
    again = post_json(client, TICKETS, report_body(), **{"Idempotency-Key": "retry-1"})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Ticket.objects.count() == 1


def test_same_key_with_another_body_is_refused(client, fault_type):
    post_json(client, TICKETS, report_body(), **{"Idempotency-Key": "retry-2"})

    response = post_json(
        client, TICKETS, report_body(address="广州市天河区1号"), **{"Idempotency-Key": "retry-2"}
    )

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Ticket.objects.count() == 1


def test_over_long_idempotency_key_is_refused(client, fault_type):
    response = post_json(client, TICKETS, report_body(), **{"Idempotency-Key": "k" * 101})

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_invalid"
    assert_nothing_written()


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_make_exactly_one_ticket():
    # Given: a fault type committed for real, so other connections see it.
    FaultTypeFactory(code="fingerprint", name="指纹无法识别")
    threads_count = 5
    barrier = threading.Barrier(threads_count)
    responses = [None] * threads_count
    errors = []

    def report(index):
        try:
            barrier.wait(timeout=10)
            responses[index] = post_json(
                Client(), TICKETS, report_body(), **{"Idempotency-Key": "race-1"}
            )
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    # When: five clients post the same key and body at the same moment.
    threads = [threading.Thread(target=report, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then: one ticket; one 201, the others replay it with 200.
    assert errors == []
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 200, 200, 201]
    assert {r.json()["code"] for r in responses} == {Ticket.objects.get().code}
    assert IdempotencyRecord.objects.count() == 1


def test_broken_json_is_400_and_writes_nothing(client, fault_type):
    response = post_json(client, TICKETS, '{"name": "王小明", "phone": ')

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"
    assert_nothing_written()


def test_form_encoded_body_is_415(client, fault_type):
    response = client.post(TICKETS, data=report_body())  # multipart, as a browser form sends

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert_nothing_written()


def test_empty_body_is_422(client, fault_type):
    response = post_json(client, TICKETS, "")

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert_nothing_written()


def test_missing_fields_are_listed(client, fault_type):
    response = post_json(client, TICKETS, {"name": "王小明"})

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert set(body["details"]) == {"phone", "address", "fault_type"}


def test_json_array_instead_of_object_is_422(client, fault_type):
    response = post_json(client, TICKETS, "[1, 2]")

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert_nothing_written()


@pytest.mark.parametrize("phone", ["12345", "02088888888", "138001380001"])
def test_non_mainland_mobile_is_invalid_phone(client, fault_type, phone):
    response = post_json(client, TICKETS, report_body(phone=phone))

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_phone"
    assert_nothing_written()


def test_phone_as_number_is_422(client, fault_type):
    response = post_json(client, TICKETS, report_body(phone=13800138000))

    assert response.status_code == 422
    assert response.json()["details"] == {"phone": "应为文本。"}
    assert_nothing_written()


def test_oversize_description_is_422(client, fault_type):
    response = post_json(client, TICKETS, report_body(description="锁" * 1001))

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["details"] == {"description": "不能超过1000个字。"}
    assert_nothing_written()


def test_description_at_the_limit_is_accepted(client, fault_type):
    response = post_json(client, TICKETS, report_body(description="锁" * 1000))

    assert response.status_code == 201


def test_oversize_area_name_is_422_not_a_database_error(client, fault_type):
    response = post_json(client, TICKETS, report_body(area_name="区" * 101))

    assert response.status_code == 422
    assert set(response.json()["details"]) == {"area_name"}
    assert_nothing_written()


def test_blank_name_is_422(client, fault_type):
    response = post_json(client, TICKETS, report_body(name="   "))

    assert response.status_code == 422
    assert response.json()["details"] == {"name": "请填写联系人姓名。"}
    assert_nothing_written()


def test_unknown_fault_type_is_422(client, fault_type):
    response = post_json(client, TICKETS, report_body(fault_type="no-such-fault"))

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert set(body["details"]) == {"fault_type"}
    assert_nothing_written()


def test_retired_fault_type_is_422(client):
    FaultTypeFactory(code="retired", active=False)

    response = post_json(client, TICKETS, report_body(fault_type="retired"))

    assert response.status_code == 422
    assert set(response.json()["details"]) == {"fault_type"}
    assert_nothing_written()


def test_unknown_lock_model_is_422(client, fault_type):
    response = post_json(client, TICKETS, report_body(lock_model="X-999"))

    assert response.status_code == 422
    assert set(response.json()["details"]) == {"lock_model"}
    assert_nothing_written()


def test_unknown_channel_is_422(client, fault_type):
    response = post_json(client, TICKETS, report_body(channel="fax"))

    assert response.status_code == 422
    assert set(response.json()["details"]) == {"channel"}
    assert_nothing_written()


def test_body_over_the_upload_limit_is_413(client, fault_type, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = post_json(client, TICKETS, report_body(description="锁" * 400))

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert_nothing_written()


def test_create_without_consent_is_refused(client, fault_type):
    from baoxiu.privacy.notice import NOTICE_VERSION

    refused = post_json(client, TICKETS, report_body(consent=False))
    assert (refused.status_code, refused.json()["code"]) == (422, "consent_required")
    missing = report_body()
    del missing["consent"]
    assert post_json(client, TICKETS, missing).status_code == 422
    assert Ticket.objects.count() == 0
    assert post_json(client, TICKETS, report_body()).status_code == 201
    assert Ticket.objects.get().consent_version == NOTICE_VERSION
