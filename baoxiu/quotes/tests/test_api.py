"""Quote API: machine-readable refusals, and no way for a customer to set a price."""

from decimal import Decimal

import pytest

from baoxiu.core import queue
from baoxiu.notifications.channels.sms.fake import FakeSmsChannel
from baoxiu.quotes.models import Payment, Quote
from baoxiu.tickets.transitions import ticket_transition

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def staff_url(ticket, tail=""):
    return f"/api/v1/staff/tickets/{ticket.code}/{tail}"


def public_url(ticket, tail):
    return f"/api/v1/tickets/{ticket.code}/{tail}?token={ticket.tracking_token}"


def labour_body(ticket, **extra):
    return {"lines": [{"kind": "labour", "key": ticket.fault_type.code, **extra}]}


def rows(ticket):
    return list(Quote.objects.filter(ticket=ticket).values_list("number", "status", "total"))


def test_technician_quotes_customer_approves_with_token(client, on_site, technician):
    client.force_login(technician.user)

    created = post(client, staff_url(on_site, "quotes"), labour_body(on_site))

    assert created.status_code == 201
    body = created.json()
    assert (body["number"], body["status"], body["customer_total"]) == (1, "pending", "110.00")
    assert [line["kind"] for line in body["lines"]] == ["labour", "callout"]
    client.logout()
    seen = client.get(public_url(on_site, "quotes")).json()
    assert [q["number"] for q in seen] == [1]
    decided = post(client, public_url(on_site, "quotes/1/decision"), {"decision": "approve"})
    assert decided.status_code == 200
    assert (decided.json()["status"], decided.json()["decided_via"]) == ("approved", "link")


@pytest.mark.parametrize(
    "body",
    [
        {"decision": "approve", "total": "1.00"},
        {"decision": "approve", "customer_total": "0"},
        {"decision": "approve", "lines": []},
        {"decision": "maybe"},
    ],
)
def test_customer_cannot_set_prices_or_anything_else(client, on_site, technician, body):
    client.force_login(technician.user)
    post(client, staff_url(on_site, "quotes"), labour_body(on_site))
    client.logout()

    response = post(client, public_url(on_site, "quotes/1/decision"), body)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert rows(on_site) == [(1, "pending", Decimal("110.00"))]


def test_technician_cannot_set_a_total_either(client, on_site, technician):
    client.force_login(technician.user)

    response = post(client, staff_url(on_site, "quotes"), {**labour_body(on_site), "total": "1"})
    line_total = post(client, staff_url(on_site, "quotes"), labour_body(on_site, amount="1.00"))

    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    assert (line_total.status_code, line_total.json()["code"]) == (422, "validation_error")
    assert rows(on_site) == []


def test_wrong_token_is_404(client, on_site, technician):
    client.force_login(technician.user)
    post(client, staff_url(on_site, "quotes"), labour_body(on_site))
    client.logout()

    token = on_site.tracking_token
    wrong = ("y" if token[0] == "x" else "x") + token[1:]  # one character off, never equal
    response = post(
        client,
        f"/api/v1/tickets/{on_site.code}/quotes/1/decision?token={wrong}",
        {"decision": "approve"},
    )

    assert response.status_code == 404
    assert rows(on_site)[0][1] == "pending"


@pytest.mark.parametrize(
    ("line", "status", "code"),
    [
        ({"unit_price": "80.01"}, 422, "price_above_list"),
        ({"key": "other-fault"}, 422, "not_in_price_list"),
        ({"quantity": 0}, 422, "validation_error"),
        ({"kind": "callout", "key": "callout"}, 422, "validation_error"),
        (
            {"kind": "free", "key": "", "name": "加装", "unit_price": "10"},
            422,
            "free_text_reason_required",
        ),
    ],
)
def test_quote_refusals(client, on_site, technician, line, status, code):
    client.force_login(technician.user)

    response = post(client, staff_url(on_site, "quotes"), labour_body(on_site, **line))

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert rows(on_site) == []


def test_other_technician_gets_404_and_nothing_changes(client, on_site, other_technician):
    client.force_login(other_technician.user)
    response = post(client, staff_url(on_site, "quotes"), labour_body(on_site))
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert rows(on_site) == []


def test_revision_needs_reason_then_start_is_refused_until_code_approval(
    client, on_site, technician
):
    client.force_login(technician.user)
    post(client, staff_url(on_site, "quotes"), labour_body(on_site))
    no_reason = post(client, staff_url(on_site, "quotes"), labour_body(on_site, quantity=2))
    assert (no_reason.status_code, no_reason.json()["code"]) == (422, "reason_required")
    revised = post(
        client, staff_url(on_site, "quotes"), {**labour_body(on_site, quantity=2), "reason": "两把"}
    )
    assert revised.json()["number"] == 2

    start = post(client, staff_url(on_site, "transitions"), {"action": "start_work"})
    assert (start.status_code, start.json()["code"]) == (409, "quote_not_approved")

    queue.work(burst=True)
    code = [m["text"] for m in FakeSmsChannel.outbox if "验证码" in m["text"]][-1]
    code = code.split("验证码")[1][:6]
    wrong = post(client, staff_url(on_site, "quotes/2/code"), {"code": "12345"})
    assert (wrong.status_code, wrong.json()["code"]) == (422, "otp_invalid")
    approved = post(client, staff_url(on_site, "quotes/2/code"), {"code": code})
    assert (approved.status_code, approved.json()["decided_via"]) == (200, "code")
    assert rows(on_site) == [
        (1, "superseded", Decimal("110.00")),
        (2, "approved", Decimal("190.00")),
    ]
    started = post(client, staff_url(on_site, "transitions"), {"action": "start_work"})
    assert started.json()["status"] == "in_progress"


def test_payment_and_receipt(client, on_site, technician):
    client.force_login(technician.user)
    post(client, staff_url(on_site, "quotes"), labour_body(on_site))
    post(client, public_url(on_site, "quotes/1/decision"), {"decision": "approve"})
    ticket_transition(ticket=on_site, action="start_work", actor=technician.user)

    wrong = post(client, staff_url(on_site, "payment"), {"method": "cash", "amount": "100.00"})
    assert (wrong.status_code, wrong.json()["code"]) == (422, "amount_mismatch")
    assert wrong.json()["details"] == {"expected": "110.00"}
    paid = post(client, staff_url(on_site, "payment"), {"method": "cash", "amount": "110.00"})
    assert paid.status_code == 201
    receipt = client.get(paid.json()["receipt_url"])
    assert receipt.status_code == 200
    assert "¥110.00" in receipt.content.decode() and on_site.code in receipt.content.decode()
    again = post(client, staff_url(on_site, "payment"), {"method": "cash", "amount": "110.00"})
    assert (again.status_code, again.json()["code"]) == (409, "already_paid")
    assert Payment.objects.count() == 1
    client.logout()
    assert client.get("/receipt/not-a-token/").status_code == 404


def test_serial_endpoint(client, on_site, technician):
    from datetime import timedelta

    from baoxiu.pricing.models import LockSerial
    from tests.factories import LockModelFactory

    LockSerial.objects.create(
        serial="A7-9",
        lock_model=LockModelFactory(code="a7", warranty_months=12),
        installed_on=on_site.created_at.date() - timedelta(days=30),
    )
    client.force_login(technician.user)

    ok = post(client, staff_url(on_site, "serial"), {"serial": "A7-9"})
    unknown = post(client, staff_url(on_site, "serial"), {"serial": "ZZ"})

    assert ok.status_code == 200 and ok.json()["in_warranty"] is True
    assert (unknown.status_code, unknown.json()["code"]) == (422, "serial_unknown")
