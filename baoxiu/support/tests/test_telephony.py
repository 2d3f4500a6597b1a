"""The call-event webhook: signatures, replays, malformed bodies, idempotency,
the agent's pop-up, and keeping the call on a ticket."""

import json
import time
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from baoxiu.support.choices import CallState
from baoxiu.support.models import CallEvent, CallRecord
from baoxiu.support.telephony.fake import FakeTelephony
from baoxiu.support.telephony.signed_json import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from baoxiu.tickets.choices import TicketChannel
from baoxiu.tickets.models import Ticket
from tests.factories import PASSWORD, make_ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/telephony/call-events"


@pytest.fixture
def phone(client):
    return FakeTelephony(client=client)


def test_ringing_call_is_recorded_and_matched_to_the_customer(phone, agent, fault_type):
    ticket = make_ticket(fault_type=fault_type, phone="13800138000")
    status, body = phone.post(
        {
            "event": "ringing",
            "call_id": "c-1",
            "caller": "+86 138 0013 8000",
            "called": "400-000-0101",
            "agent": "agent",
        }
    )
    assert status == 200
    assert body == {"call_id": "c-1", "state": "ringing", "applied": True, "customer_known": True}
    call = CallRecord.objects.get()
    assert (call.caller, call.called_number, call.agent, call.customer) == (
        "+86 138 0013 8000",
        "400-000-0101",
        agent,
        ticket.customer,
    )


def test_retried_event_changes_nothing(phone, agent):
    payload = {"event": "ringing", "call_id": "c-2", "caller": "13900001111", "agent": "agent"}
    first = phone.post(payload)
    second = phone.post(payload)
    assert first[1]["applied"] is True and second == (200, {**first[1], "applied": False})
    assert CallRecord.objects.count() == 1 and CallEvent.objects.count() == 1


def test_call_moves_forward_only_and_keeps_the_recording(phone, agent):
    phone.post({"event": "ringing", "call_id": "c-3", "caller": "13900001111"})
    phone.post({"event": "ended", "call_id": "c-3", "recording_ref": "rec/2026/c-3.mp3"})
    late = phone.post({"event": "answered", "call_id": "c-3", "agent": str(agent.pk)})
    assert late[1]["state"] == "ended"
    call = CallRecord.objects.get()
    assert call.state == CallState.ENDED
    assert call.recording_ref == "rec/2026/c-3.mp3"
    assert call.agent == agent and call.answered_at is not None and call.ended_at is not None


def _raw(client, body: bytes, headers: dict):
    return client.post(URL, data=body, content_type="application/json", headers=headers)


@pytest.mark.parametrize(
    ("mutate", "status", "code"),
    [
        (lambda b, h: (b, {}), 401, "signature_missing"),
        (lambda b, h: (b, {**h, SIGNATURE_HEADER: "sha256=" + "0" * 64}), 401, "signature_invalid"),
        (lambda b, h: (b.replace(b"13900001111", b"13900002222"), h), 401, "signature_invalid"),
        (lambda b, h: (b, {**h, TIMESTAMP_HEADER: "soon"}), 401, "timestamp_invalid"),
    ],
)
def test_bad_signatures_are_refused(client, mutate, status, code):
    body, headers = FakeTelephony().signed_request(
        {"event": "ringing", "call_id": "c-4", "caller": "13900001111"}
    )
    body, headers = mutate(body, headers)
    response = _raw(client, body, headers)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert CallRecord.objects.count() == 0


def test_a_stale_request_cannot_be_replayed(client):
    old = int(time.time()) - 3600
    body, headers = FakeTelephony().signed_request(
        {"event": "ringing", "call_id": "c-5", "caller": "13900001111"}, timestamp=old
    )
    response = _raw(client, body, headers)
    assert (response.status_code, response.json()["code"]) == (401, "timestamp_expired")
    assert CallRecord.objects.count() == 0


def test_a_different_secret_is_refused(client, settings):
    settings.TELEPHONY_WEBHOOK_SECRET = "the-real-shared-secret"
    forged = FakeTelephony(secret=b"guessed")
    body, headers = forged.signed_request({"event": "ringing", "call_id": "c", "caller": "1"})
    assert _raw(client, body, headers).json()["code"] == "signature_invalid"
    genuine = FakeTelephony(client=client, secret=b"the-real-shared-secret")
    assert genuine.post({"event": "ringing", "call_id": "c-6", "caller": "13900001111"})[0] == 200


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"event": "transferred", "call_id": "c"}, "invalid_event"),
        ({"event": "ringing", "call_id": ""}, "invalid_event"),
        ({"event": "ringing", "call_id": "c"}, "invalid_event"),  # a ringing call needs a caller
        ({"event": "ended", "call_id": "c" * 65}, "invalid_event"),
        ({"event": "ended", "call_id": "c", "occurred_at": "yesterday"}, "invalid_event"),
        (["ringing"], "invalid_event"),
    ],
)
def test_malformed_events_are_refused(client, payload, code):
    body = json.dumps(payload).encode()
    ts = int(time.time())
    response = _raw(client, body, {TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: sign(body, ts)})
    assert (response.status_code, response.json()["code"]) == (422, code)
    assert CallRecord.objects.count() == 0


def test_unparsable_body_is_refused(client):
    body = b"{not json"
    ts = int(time.time())
    response = _raw(client, body, {TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: sign(body, ts)})
    assert response.status_code in (400, 422)
    assert response.json()["code"] == "invalid_json"


def test_ringing_call_pops_up_for_the_agent_with_history(phone, agent, fault_type):
    ticket = make_ticket(fault_type=fault_type, phone="13800138000", name="王小明")
    desk = Client()
    desk.login(username="agent", password=PASSWORD)
    assert (
        'data-testid="call-popup"' not in desk.get(reverse("support:call_ringing")).content.decode()
    )
    call_id = phone.ring(caller="13800138000", called="400-000-0101", agent="agent")
    popup = desk.get(reverse("support:call_ringing")).content.decode()
    assert f'data-call="{call_id}"' in popup
    assert "138****8000" in popup and "王*" in popup and ticket.code in popup
    assert "13800138000" not in popup and "王小明" not in popup  # masked
    phone.answer(call_id=call_id, agent="agent")
    assert (
        'data-testid="call-popup"' not in desk.get(reverse("support:call_ringing")).content.decode()
    )


def test_call_routed_to_another_agent_does_not_pop_up_here(phone, agent):
    from tests.factories import UserFactory

    UserFactory(username="agent2", role="agent")
    phone.ring(caller="13800138000", called="400", agent="agent2")
    desk = Client()
    desk.login(username="agent", password=PASSWORD)
    assert (
        'data-testid="call-popup"' not in desk.get(reverse("support:call_ringing")).content.decode()
    )


def _ticket_form(fault_type, **overrides):
    return {
        "name": "陈女士",
        "address": "深圳市南山区科技园路8号",
        "area_name": "深圳市南山区",
        "fault_type": fault_type.pk,
        "description": "电话报修：电池没电",
        "submission_id": str(uuid.uuid4()),
        "consent": "on",
        **overrides,
    }


def test_agent_creates_ticket_from_the_call_and_the_call_is_kept_on_it(phone, agent, fault_type):
    call_id = phone.ring(caller="13700001234", called="400-000-0101", agent="agent")
    phone.hang_up(call_id=call_id, recording_ref="rec-42")
    desk = Client()
    desk.login(username="agent", password=PASSWORD)
    screen = desk.get(reverse("support:call", kwargs={"call_id": call_id})).content.decode()
    assert "137****1234" in screen and "13700001234" not in screen
    response = desk.post(
        reverse("support:call", kwargs={"call_id": call_id}),
        _ticket_form(fault_type, phone="13911112222"),  # ignored: the caller's number is used
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == f"/console/tickets/{ticket.code}/"
    assert ticket.channel == TicketChannel.PHONE and ticket.customer.phone == "13700001234"
    call = CallRecord.objects.get()
    assert (call.ticket, call.customer, call.recording_ref) == (ticket, ticket.customer, "rec-42")
    detail = desk.get(response.url).content.decode()
    assert call_id in detail and "rec-42" in detail


def test_call_form_errors_are_shown_and_nothing_is_created(phone, agent, fault_type):
    call_id = phone.ring(caller="13700001234", called="400")
    desk = Client()
    desk.login(username="agent", password=PASSWORD)
    response = desk.post(
        reverse("support:call", kwargs={"call_id": call_id}), _ticket_form(fault_type, name="")
    )
    assert response.status_code == 400 and "此项为必填项。" in response.content.decode()
    assert Ticket.objects.count() == 0 and CallRecord.objects.get().ticket is None


def test_agent_adds_call_to_an_existing_ticket_of_the_caller_only(phone, agent, fault_type):
    own = make_ticket(fault_type=fault_type, phone="13800138000")
    other = make_ticket(fault_type=fault_type, phone="13911112222", name="赵先生")
    call_id = phone.ring(caller="13800138000", called="400")
    desk = Client()
    desk.login(username="agent", password=PASSWORD)
    url = reverse("support:call_attach", kwargs={"call_id": call_id})
    refused = desk.post(url, {"ticket": other.code}, follow=True)
    assert "只能关联该来电客户自己的工单。" in refused.content.decode()
    assert CallRecord.objects.get().ticket is None
    done = desk.post(url, {"ticket": own.code})
    assert done.status_code == 302 and CallRecord.objects.get().ticket == own


def test_unknown_call_is_404_and_technicians_cannot_see_calls(phone, technician):
    call_id = phone.ring(caller="13800138000", called="400")
    tech = Client()
    tech.login(username=technician.user.username, password=PASSWORD)
    assert tech.get(reverse("support:call", kwargs={"call_id": call_id})).status_code == 403
    desk = Client()
    from tests.factories import UserFactory

    UserFactory(username="agent9", role="agent")
    desk.login(username="agent9", password=PASSWORD)
    assert desk.get(reverse("support:call", kwargs={"call_id": "nope"})).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_demo_command_places_a_signed_call_over_http(live_server, agent):
    from django.core.management import call_command

    call_command(
        "fake_call", caller="13800138000", agent="agent", base_url=live_server.url, end=True
    )
    call = CallRecord.objects.get()
    assert (call.state, call.agent, call.recording_ref) == (
        CallState.ENDED,
        agent,
        f"demo-recording/{call.call_id}",
    )


@pytest.mark.django_db(transaction=True)
def test_demo_command_reports_a_refused_call(live_server):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="422: invalid_event"):
        call_command("fake_call", caller="", base_url=live_server.url)
    assert CallRecord.objects.count() == 0
