"""Mass assignment: fields an actor may not set are ignored or refused, on the
public API, the tracking-page forms and the staff API and pages."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from baoxiu.core.errors import PermissionDenied
from baoxiu.feedback.models import Complaint
from baoxiu.quotes.models import Payment, Quote
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ticket_transition
from baoxiu.workforce.models import Technician
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db

# Everything a forged request might try to set on a ticket.
FORGED = {
    "status": "closed",
    "priority": "emergency",
    "technician": 1,
    "technician_id": 1,
    "tracking_token": "forged-token-forged-token-forged",
    "code": "BX-FORGED",
    "version": 99,
    "created_by": 1,
    "consent_at": "2000-01-01T00:00:00+08:00",
    "consent_version": "forged",
    "appointment_start": "2030-01-01T09:00:00+08:00",
    "assigned_at": "2000-01-01T00:00:00+08:00",
    "closed_at": "2000-01-01T00:00:00+08:00",
    "price": "0.01",
    "amount": "0.01",
    "total": "0.01",
    "handled_at": "2000-01-01T00:00:00+08:00",
}
GUARDED = (
    "status",
    "priority",
    "technician_id",
    "tracking_token",
    "version",
    "created_by_id",
    "consent_version",
    "appointment_start",
    "assigned_at",
    "closed_at",
)


def _post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def _fields(ticket: Ticket) -> dict:
    ticket.refresh_from_db()
    return {f: getattr(ticket, f) for f in GUARDED}


def test_public_report_api_ignores_fields_a_customer_may_not_set(world):
    client = world.client("anon")
    base = {"name": "张三", "phone": "13800138011", "address": "深圳市南山区科技园路2号"}
    base |= {"fault_type": "opening", "area_name": "深圳市南山区", "consent": True}
    plain = _post_json(client, "/api/v1/tickets", base)
    forged = _post_json(client, "/api/v1/tickets", {**base, "phone": "13800138012", **FORGED})
    assert plain.status_code == forged.status_code == 201, forged.content
    control = Ticket.objects.get(code=plain.json()["code"])
    ticket = Ticket.objects.get(code=forged.json()["code"])
    assert ticket.code != "BX-FORGED"
    assert ticket.tracking_token != FORGED["tracking_token"]
    want = _fields(control)
    got = _fields(ticket)
    del want["tracking_token"], got["tracking_token"]
    assert got == want
    assert ticket.technician_id is None and ticket.created_by_id is None
    assert abs(ticket.consent_at - timezone.now()) < timedelta(minutes=1)


def test_report_form_ignores_fields_a_customer_may_not_set(world):
    client = world.client("anon")
    from baoxiu.catalog.models import FaultType

    fault = FaultType.objects.get(code="opening")
    form = {"name": "李四", "address": "深圳市南山区科技园路3号", "area_name": "深圳市南山区"}
    form |= {"fault_type": fault.pk, "consent": "on"}
    before = set(Ticket.objects.values_list("pk", flat=True))
    client.post(
        reverse("portal:report"), {**form, "phone": "13800138013", "submission_id": uuid.uuid4()}
    )
    client.post(
        reverse("portal:report"),
        {**form, "phone": "13800138014", "submission_id": uuid.uuid4(), **FORGED},
    )
    control, ticket = Ticket.objects.exclude(pk__in=before).order_by("pk")
    want, got = _fields(control), _fields(ticket)
    del want["tracking_token"], got["tracking_token"]
    assert got == want
    assert ticket.tracking_token != FORGED["tracking_token"]


def test_customer_quote_decision_refuses_unknown_fields(world):
    quote = Quote.objects.get(ticket__code=world.ids["code_b"], number=1)
    before = (quote.status, quote.total)
    url = f"/api/v1/tickets/{world.ids['code_b']}/quotes/1/decision?token={world.ids['token_b']}"
    response = _post_json(world.client("cust_b"), url, {"decision": "approve", "total": "0.01"})
    assert response.status_code == 422
    quote.refresh_from_db()
    assert (quote.status, quote.total) == before


@pytest.mark.parametrize(
    "path,body",
    [
        ("complaints", {"kind": "complaint", "text": "师傅迟到了"}),
        ("cancel", {"reason": "不需要了"}),
    ],
)
def test_customer_api_ignores_ticket_fields(world, path, body):
    ticket = Ticket.objects.get(code=world.ids["code_a"])
    before = _fields(ticket)
    url = f"/api/v1/tickets/{world.ids['code_a']}/{path}?token={world.ids['token_a']}"
    response = _post_json(world.client("cust_a"), url, {**body, **FORGED})
    after = _fields(ticket)
    if path == "cancel" and response.status_code == 200:
        # The one field the customer's action may change is the status, to cancelled.
        assert after.pop("status") == "cancelled"
        before.pop("status")
        after.pop("version"), before.pop("version")
    assert after == before
    for complaint in Complaint.objects.filter(ticket=ticket):
        assert complaint.handled_at is None and complaint.handled_by_id is None


@pytest.mark.parametrize("name", ["feedback:complaint", "support:ticket_chat"])
def test_tracking_page_forms_ignore_ticket_fields(world, name):
    ticket = Ticket.objects.get(code=world.ids["code_a"])
    before = _fields(ticket)
    url = reverse(name, kwargs={"code": world.ids["code_a"], "token": world.ids["token_a"]})
    world.client("cust_a").post(
        url, {"kind": "complaint", "text": "测试", "body": "测试", **FORGED}
    )
    assert _fields(ticket) == before


def test_staff_transition_api_sets_only_what_the_action_sets(world):
    ticket = Ticket.objects.get(code=world.ids["code_a"])
    priority = ticket.priority
    tech_b = Technician.objects.get(pk=world.ids["tech_b"])
    url = f"/api/v1/staff/tickets/{ticket.code}/transitions"
    body = {"action": "hold", "note": "等配件", "technician_id": tech_b.pk, **FORGED}
    response = _post_json(world.client("tech_a"), url, body)
    assert response.status_code == 200, response.content
    ticket.refresh_from_db()
    assert ticket.status == "on_hold"
    assert ticket.technician_id == world.ids["tech_a"]
    assert ticket.priority == priority != FORGED["priority"]
    assert ticket.tracking_token == world.ids["token_a"]


def test_a_technician_cannot_assign_through_the_action_form(world):
    ticket = Ticket.objects.get(code=world.ids["code_a"])
    before = _fields(ticket)
    url = reverse("console:ticket_action", kwargs={"code": ticket.code})
    world.client("tech_a").post(
        url, {"action": "assign", "technician": world.ids["tech_b"], "note": "换人"}
    )
    assert _fields(ticket) == before


def test_a_technician_cannot_quote_above_the_price_list(world):
    url = f"/api/v1/staff/tickets/{world.ids['code_b']}/quotes"
    count = Quote.objects.count()
    line = {"kind": "labour", "key": "opening", "unit_price": "9999.00"}
    response = _post_json(world.client("tech_b"), url, {"lines": [line], "reason": "加价"})
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "price_above_list"
    assert Quote.objects.count() == count


def test_a_technician_cannot_set_a_quote_total(world):
    url = f"/api/v1/staff/tickets/{world.ids['code_b']}/quotes"
    count = Quote.objects.count()
    body = {"lines": [{"kind": "labour", "key": "opening"}], "reason": "改价", "total": "1.00"}
    response = _post_json(world.client("tech_b"), url, body)
    assert response.status_code == 422
    assert Quote.objects.count() == count


def test_a_payment_must_be_the_approved_total(world):
    ticket = Ticket.objects.get(code=world.ids["code_b"])
    Ticket.objects.filter(pk=ticket.pk).update(status="in_progress")
    count = Payment.objects.count()
    url = f"/api/v1/staff/tickets/{ticket.code}/payment"
    response = _post_json(world.client("tech_b"), url, {"method": "cash", "amount": "0.01"})
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "amount_mismatch"
    assert Payment.objects.count() == count


def test_an_outlet_manager_assigns_only_to_their_own_outlet(world):
    """A hole closed by the matrix: outlet managers could assign to any technician."""
    manager = world.users["manager_a"]
    tech_a = Technician.objects.get(pk=world.ids["tech_a"])
    tech_b = Technician.objects.get(pk=world.ids["tech_b"])
    ticket = make_ticket(phone="13800138021")
    with pytest.raises(PermissionDenied) as refused:
        ticket_transition(ticket=ticket, action="assign", actor=manager, technician=tech_b)
    assert refused.value.code == "technician_out_of_scope"
    ticket.refresh_from_db()
    assert ticket.technician_id is None and ticket.status == "new"
    ticket = ticket_transition(ticket=ticket, action="assign", actor=manager, technician=tech_a)
    assert ticket.technician_id == tech_a.pk
