"""Mass assignment: what a customer sends beyond the form changes nothing.

The customer's ways in — the public report form, the public API, the
appointment booking on the tracking link — are sent, beside a valid
request, a value for every other column of the ticket, its customer and its
address (status, technician, priority, timestamps, consent time and
version, tracking token, version, creator, …). The ticket made must be the
same as the one a plain request makes.

The hostile fields are read from the models, so a column added later (a
price, an SLA deadline, a lock-opening flag) is attacked without touching
this file. ``CUSTOMER_INPUTS`` lists the columns a customer does set; a new
model a customer can reach (a quote approval, a chat message) is one entry
in ``EXTRA_MODELS``.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import models
from django.utils import timezone

from baoxiu.customers.models import Address, Customer
from baoxiu.privacy.notice import NOTICE_VERSION
from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.models import Ticket, TicketEvent
from tests.factories import FaultTypeFactory, TechnicianFactory, UserFactory

pytestmark = pytest.mark.django_db

# Columns the customer legitimately fills (directly or as the form's field names).
CUSTOMER_INPUTS = {
    "description",
    "fault_type",
    "lock_model",
    "name",
    "phone",
    "text",
    "area_name",
    "division",
}
# Columns that differ between any two tickets, whoever made them.
ALWAYS_DIFFERENT = {"id", "code", "tracking_token", "customer", "address", "phone_index"}
TIMESTAMPS = models.DateTimeField
EXTRA_MODELS: list[type[models.Model]] = [Customer, Address]


def _hostile_value(field: models.Field, technician):
    if isinstance(field, models.ForeignKey):
        return technician.pk if field.related_model is type(technician) else 1
    if isinstance(field, models.DateTimeField):
        return "2000-01-01T00:00:00+08:00"
    if isinstance(field, models.DateField):
        return "2000-01-01"
    if isinstance(field, models.BooleanField):
        return True
    if isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
        return 999999
    if isinstance(field, models.JSONField):
        return {"forged": True}
    if field.choices:
        return list(dict(field.choices))[-1]
    return "forged-0123456789"


def hostile_extras(technician) -> dict:
    """A forged value for every column of the ticket (and its customer and address)
    the customer does not fill, under its column name and its attribute name."""
    extras = {}
    for model in [Ticket, *EXTRA_MODELS]:
        for field in model._meta.concrete_fields:
            if field.name in CUSTOMER_INPUTS:
                continue
            value = _hostile_value(field, technician)
            extras[field.name] = value
            extras[field.attname] = value
    extras.update(status=TicketStatus.COMPLETED, technician=technician.pk, price="0.01")
    extras.update(total="0.01", approved_total="0.01", priority="emergency", is_superuser=True)
    return extras


@pytest.fixture
def setting():
    fault = FaultTypeFactory(code="fingerprint", priority="normal")
    technician = TechnicianFactory(user__username="ma-tech")
    UserFactory(username="ma-admin", role="admin")
    return {"fault": fault, "technician": technician}


def _comparable(ticket: Ticket) -> dict:
    row = {}
    for field in Ticket._meta.concrete_fields:
        if field.name in ALWAYS_DIFFERENT:
            continue
        value = getattr(ticket, field.attname)
        if isinstance(field, TIMESTAMPS) and value is not None:
            value = "set"  # when it happened differs; whether it is set must not
        row[field.name] = value
    return row


def _assert_same_as_plain(forged: Ticket, plain: Ticket, technician):
    assert _comparable(forged) == _comparable(plain)
    assert forged.status == TicketStatus.NEW
    assert forged.technician_id is None
    assert forged.version == 1
    assert forged.consent_version == NOTICE_VERSION
    assert abs(forged.consent_at - timezone.now()) < timedelta(minutes=1)
    assert forged.tracking_token != "forged-0123456789" and forged.code != "forged-0123456789"
    assert forged.customer.id_number == ""
    assert list(TicketEvent.objects.filter(ticket=forged).values_list("type", flat=True)) == [
        "created"
    ]


def _report_form(client, setting, phone, extras=None, n=1):
    data = {
        "name": "周八",
        "phone": phone,
        "address": "深圳市南山区科技园路1号",
        "area_name": "深圳市南山区",
        "fault_type": setting["fault"].pk,
        "description": "门锁没反应",
        "consent": "on",
        "submission_id": f"00000000-0000-4000-8000-00000000000{n}",
    }
    for key, value in (extras or {}).items():
        data.setdefault(key, json.dumps(value) if isinstance(value, dict) else value)
    response = client.post("/report/", data)
    assert response.status_code == 302, response.content.decode()[:300]
    return Ticket.objects.get(code=response.url.split("/")[2])


def test_report_form_ignores_every_field_it_does_not_offer(client, setting):
    plain = _report_form(client, setting, "13800000001", n=1)
    forged = _report_form(
        client, setting, "13800000002", extras=hostile_extras(setting["technician"]), n=2
    )

    _assert_same_as_plain(forged, plain, setting["technician"])


def _report_api(client, phone, extras=None):
    body = {
        "name": "周八",
        "phone": phone,
        "address": "深圳市南山区科技园路1号",
        "area_name": "深圳市南山区",
        "fault_type": "fingerprint",
        "description": "门锁没反应",
        "consent": True,
    }
    for key, value in (extras or {}).items():
        if key != "channel":  # channel is an input: anonymous callers may not pick "phone"
            body.setdefault(key, value)
    response = client.post("/api/v1/tickets", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    return Ticket.objects.get(code=response.json()["code"])


def test_public_api_ignores_every_field_it_does_not_document(client, setting):
    plain = _report_api(client, "13800000003")
    forged = _report_api(client, "13800000004", extras=hostile_extras(setting["technician"]))

    _assert_same_as_plain(forged, plain, setting["technician"])


def test_anonymous_caller_cannot_claim_to_be_the_phone_desk(client, setting):
    body = {
        "name": "周八",
        "phone": "13800000005",
        "address": "深圳市南山区科技园路1号",
        "fault_type": "fingerprint",
        "consent": True,
        "channel": "phone",
    }
    response = client.post("/api/v1/tickets", json.dumps(body), content_type="application/json")

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert Ticket.objects.count() == 0


def test_appointment_booking_changes_only_the_appointment(client, setting):
    ticket = _report_api(client, "13800000006")
    before = _comparable(ticket)
    extras = hostile_extras(setting["technician"])
    url = ticket.tracking_path() + "appointment/"
    response = client.post(url, {**extras, "start": "not-a-slot"})
    assert response.status_code == 302
    api = f"/api/v1/tickets/{ticket.code}/appointment?token={ticket.tracking_token}"
    response = client.post(
        api, json.dumps({**extras, "start": "2000-01-01T09:00:00+08:00"}), "application/json"
    )
    assert response.status_code in (409, 422)

    ticket.refresh_from_db()
    assert _comparable(ticket) == before
