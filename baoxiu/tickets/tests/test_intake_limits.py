import uuid

import pytest
from django.urls import reverse

from baoxiu.core.models import RateLimitHit
from baoxiu.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def report(fault, phone, **extra):
    return {
        "name": "王小明",
        "phone": phone,
        "address": "深圳市南山区科技园路1号",
        "fault_type": fault.pk,
        "submission_id": str(uuid.uuid4()),
        "consent": "on",
        **extra,
    }


def test_one_phone_number_is_limited_per_hour(client, fault_type, settings):
    settings.INTAKE_LIMIT_PER_PHONE = 2
    for _ in range(2):
        assert (
            client.post(reverse("portal:report"), report(fault_type, "13800138000")).status_code
            == 302
        )
    refused = client.post(reverse("portal:report"), report(fault_type, "138 0013 8000"))
    assert refused.status_code == 400
    assert "提交过于频繁" in refused.content.decode()
    assert Ticket.objects.count() == 2
    # Another number from the same address still gets through.
    assert (
        client.post(reverse("portal:report"), report(fault_type, "13900139000")).status_code == 302
    )
    # No phone number is stored by the limiter.
    assert not RateLimitHit.objects.filter(key__contains="138").exists()


def test_one_address_is_limited_per_hour_over_the_api(client, fault_type, settings):
    settings.INTAKE_LIMIT_PER_IP = 2
    body = {
        "name": "王小明",
        "address": "深圳市南山区科技园路1号",
        "fault_type": fault_type.code,
        "consent": True,
    }
    codes = [
        client.post(
            "/api/v1/tickets", {**body, "phone": f"1390000000{i}"}, content_type="application/json"
        ).status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]
    assert Ticket.objects.count() == 2


def test_a_retry_of_an_accepted_report_is_not_counted(client, fault_type, settings):
    settings.INTAKE_LIMIT_PER_PHONE = 1
    data = report(fault_type, "13800138000")
    first = client.post(reverse("portal:report"), data)
    again = client.post(reverse("portal:report"), data)
    assert first.url == again.url and Ticket.objects.count() == 1


def test_staff_are_not_limited(client, agent, fault_type, settings):
    from tests.factories import PASSWORD

    settings.INTAKE_LIMIT_PER_PHONE = 1
    client.login(username=agent.username, password=PASSWORD)
    for _ in range(3):
        response = client.post(reverse("console:ticket_new"), report(fault_type, "13800138000"))
        assert response.status_code == 302
    assert Ticket.objects.count() == 3
