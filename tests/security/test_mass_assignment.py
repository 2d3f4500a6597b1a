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
in ``EXTRA_MODELS``. The tracking page's own actions (complaint, rating,
cancel, chat, quote decision — form and API) are sent the forged columns of
every model in ``CUSTOMER_MODELS`` too.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import models
from django.urls import reverse
from django.utils import timezone

from baoxiu.customers.models import Address, Customer
from baoxiu.feedback.models import Complaint, Rating
from baoxiu.privacy.notice import NOTICE_VERSION
from baoxiu.quotes.models import Payment, Quote
from baoxiu.support.models import ChatMessage, Conversation
from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.models import Ticket, TicketEvent
from tests.factories import (
    FaultTypeFactory,
    TechnicianFactory,
    UserFactory,
    make_price_list,
    make_ticket,
)

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


# ---- the customer's actions on the tracking page and its API ------------------------
#
# Each is sent the forged extras of every model it could touch (the ticket, the row it
# writes, a quote and a payment); the row written must equal the one a plain request
# writes, and nothing else about the ticket may change beyond what the action does.

CUSTOMER_MODELS = [Complaint, Rating, Quote, Payment, Conversation, ChatMessage]


def customer_extras(technician) -> dict:
    extras = hostile_extras(technician)
    for model in CUSTOMER_MODELS:
        for field in model._meta.concrete_fields:
            value = _hostile_value(field, technician)
            extras.setdefault(field.name, value)
            extras.setdefault(field.attname, value)
    for own_input in ("kind", "text", "stars", "comment", "reason", "body", "decision"):
        extras.pop(own_input, None)
    return extras


def _row_of(
    instance, skip=("id", "ticket", "created_at", "conversation", "token", "token_index")
) -> dict:
    row = {}
    for field in type(instance)._meta.concrete_fields:
        if field.name in skip:
            continue
        value = getattr(instance, field.attname)
        row[field.name] = "set" if isinstance(field, TIMESTAMPS) and value else value
    return row


def _assigned_pair(setting):
    from baoxiu.tickets.transitions import ticket_transition

    dispatcher = UserFactory(role="dispatcher")
    pair = []
    for n in (1, 2):
        ticket = make_ticket(fault_type=setting["fault"], phone=f"1390000000{n}")
        pair.append(
            ticket_transition(
                ticket=ticket, action="assign", actor=dispatcher, technician=setting["technician"]
            )
        )
    return pair


def _track(ticket, name, **kwargs):
    return reverse(name, kwargs={"code": ticket.code, "token": ticket.tracking_token, **kwargs})


@pytest.mark.parametrize("by_api", [False, True], ids=["form", "api"])
def test_complaint_writes_only_kind_and_text(client, setting, by_api):
    plain_ticket, forged_ticket = _assigned_pair(setting)
    extras = customer_extras(setting["technician"])
    for ticket, extra in ((plain_ticket, {}), (forged_ticket, extras)):
        before = _comparable(Ticket.objects.get(pk=ticket.pk))
        data = {**extra, "kind": "complaint", "text": "师傅迟到了"}
        if by_api:
            url = f"/api/v1/tickets/{ticket.code}/complaints?token={ticket.tracking_token}"
            data = {"kind": "complaint", "text": "师傅迟到了"} if not extra else data
            response = client.post(url, json.dumps(data), content_type="application/json")
            assert response.status_code in (201, 422), response.content
            if extra and response.status_code == 422:
                continue  # the schema refuses unknown fields outright: nothing written
        else:
            response = client.post(_track(ticket, "feedback:complaint"), data)
            assert response.status_code == 302
        assert _comparable(Ticket.objects.get(pk=ticket.pk)) == before
    plain = Complaint.objects.get(ticket=plain_ticket)
    forged = Complaint.objects.filter(ticket=forged_ticket).first()
    if forged is not None:
        assert _row_of(forged) == _row_of(plain)
        assert (forged.handled_at, forged.handled_by, forged.reply) == (None, None, "")


def test_rating_writes_only_stars_and_comment(client, setting):
    from baoxiu.tickets.choices import TicketStatus as S

    plain_ticket, forged_ticket = _assigned_pair(setting)
    Ticket.objects.filter(pk__in=[plain_ticket.pk, forged_ticket.pk]).update(status=S.COMPLETED)
    extras = customer_extras(setting["technician"])
    for ticket, extra in ((plain_ticket, {}), (forged_ticket, extras)):
        before = _comparable(Ticket.objects.get(pk=ticket.pk))
        response = client.post(
            _track(ticket, "feedback:rate"), {**extra, "stars": "4", "comment": "还行"}
        )
        assert response.status_code == 302
        assert _comparable(Ticket.objects.get(pk=ticket.pk)) == before
    forged = Rating.objects.get(ticket=forged_ticket)
    assert _row_of(forged) == _row_of(Rating.objects.get(ticket=plain_ticket))
    assert (forged.stars, forged.comment) == (4, "还行")


def test_cancel_and_chat_set_nothing_but_their_own_fields(client, setting):
    plain_ticket, forged_ticket = _assigned_pair(setting)
    extras = customer_extras(setting["technician"])
    for n, (ticket, extra) in enumerate(((plain_ticket, {}), (forged_ticket, extras))):
        response = client.post(
            _track(ticket, "support:ticket_chat"),
            {**extra, "body": "什么时候到？"},
            REMOTE_ADDR=f"10.0.0.{n + 1}",
        )
        assert response.status_code == 302
        response = client.post(_track(ticket, "feedback:cancel"), {**extra, "reason": "不修了"})
        assert response.status_code == 302
    plain, forged = (Ticket.objects.get(pk=t.pk) for t in (plain_ticket, forged_ticket))
    assert _comparable(forged) == _comparable(plain)
    assert forged.status == "cancelled"
    conversations = [Conversation.objects.get(ticket=t) for t in (plain, forged)]
    assert _row_of(conversations[1]) == _row_of(conversations[0])
    assert conversations[1].assigned_to_id is None
    messages = [c.messages.get() for c in conversations]
    assert _row_of(messages[1]) == _row_of(messages[0])
    assert (messages[1].sender, messages[1].author_id) == ("customer", None)


@pytest.mark.parametrize("by_api", [False, True], ids=["form", "api"])
def test_quote_decision_takes_only_approve_or_reject(client, setting, by_api):
    from baoxiu.pricing.calculator import LineRequest
    from baoxiu.quotes.services import quote_submit
    from baoxiu.tickets.choices import TicketStatus as S

    technician = setting["technician"]
    make_price_list(fault_types=[setting["fault"]])
    pair = _assigned_pair(setting)
    Ticket.objects.filter(pk__in=[t.pk for t in pair]).update(status=S.ON_SITE)
    quotes = [
        quote_submit(
            ticket=Ticket.objects.get(pk=t.pk),
            actor=technician.user,
            requests=[LineRequest(kind="labour", key="fingerprint")],
        )
        for t in pair
    ]
    extras = customer_extras(technician)
    for ticket, quote, extra in zip(pair, quotes, ({}, extras), strict=True):
        before = _comparable(Ticket.objects.get(pk=ticket.pk))
        if by_api:
            url = (
                f"/api/v1/tickets/{ticket.code}/quotes/{quote.number}/decision"
                f"?token={ticket.tracking_token}"
            )
            body = json.dumps({**extra, "decision": "approve"}, default=str)
            response = client.post(url, body, content_type="application/json")
            # Unknown fields are refused outright (422); a plain decision passes.
            assert response.status_code == (422 if extra else 200), response.content
        else:
            url = _track(ticket, "quotes:track_decide", number=quote.number)
            response = client.post(url, {**extra, "decision": "approve"})
            assert response.status_code == 302
        assert _comparable(Ticket.objects.get(pk=ticket.pk)) == before
    plain, forged = (Quote.objects.get(pk=q.pk) for q in quotes)
    assert not Payment.objects.exists()
    if by_api:
        assert forged.status == "pending" and _row_of(forged, skip=("id", "ticket")) == _row_of(
            quotes[1], skip=("id", "ticket")
        )
    else:
        assert _row_of(forged) == _row_of(plain)
        assert (forged.status, forged.total, forged.decided_via) == (
            "approved",
            plain.total,
            "link",
        )
