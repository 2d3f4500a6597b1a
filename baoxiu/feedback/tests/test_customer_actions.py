"""What a customer can do from the tracking link, and every refusal."""

from datetime import timedelta

import pytest
from django.utils import timezone

from baoxiu.api.tests.helpers import post_json
from baoxiu.core.errors import IllegalTransition, ValidationFailed
from baoxiu.dispatch.choices import AlertKind
from baoxiu.dispatch.models import DispatchAlert
from baoxiu.feedback.models import Complaint, Rating
from baoxiu.feedback.services import (
    appointment_change_by_customer,
    complaint_create,
    rating_create,
    ticket_cancel_by_customer,
)
from baoxiu.tickets.choices import EventType, TicketStatus
from baoxiu.tickets.models import Ticket, TicketEvent
from tests.factories import ticket_at

pytestmark = pytest.mark.django_db
S = TicketStatus


def snapshot(ticket):
    row = Ticket.objects.values("status", "version", "appointment_start").get(pk=ticket.pk)
    return row, ticket.events.count()


def track(ticket, suffix=""):
    return f"/t/{ticket.code}/{ticket.tracking_token}/{suffix}"


@pytest.mark.parametrize("status", [S.NEW, S.DISPATCHING, S.ASSIGNED, S.ACCEPTED, S.EN_ROUTE])
def test_cancel_before_the_technician_is_on_site(status, fault_type, technician):
    ticket = ticket_at(status, fault_type=fault_type, technician=technician)
    ticket = ticket_cancel_by_customer(ticket=ticket, reason="锁自己好了")
    assert ticket.status == S.CANCELLED
    event = ticket.events.get(type=EventType.CANCELLED)
    assert event.actor is None and event.actor_label == "客户" and event.note == "锁自己好了"


@pytest.mark.parametrize("status", [S.ON_SITE, S.IN_PROGRESS, S.COMPLETED, S.CLOSED])
def test_cancel_refused_once_on_site(status, fault_type, technician):
    ticket = ticket_at(status, fault_type=fault_type, technician=technician)
    before = snapshot(ticket)
    with pytest.raises(IllegalTransition) as refused:
        ticket_cancel_by_customer(ticket=ticket, reason="不修了")
    assert refused.value.code == "cancel_not_allowed"
    assert snapshot(ticket) == before


def test_cancel_needs_a_reason(fault_type):
    ticket = ticket_at(S.DISPATCHING, fault_type=fault_type)
    before = snapshot(ticket)
    with pytest.raises(ValidationFailed) as refused:
        ticket_cancel_by_customer(ticket=ticket, reason="   ")
    assert refused.value.code == "reason_required"
    assert snapshot(ticket) == before


def test_cancel_page_in_chinese_and_api(client, fault_type, technician):
    ticket = ticket_at(S.ON_SITE, fault_type=fault_type, technician=technician)
    response = client.post(track(ticket, "cancel/"), {"reason": "不修了"})
    assert response.status_code == 400
    assert "师傅已到达或工单已结束，不能在线取消，请联系客服。" in response.content.decode()
    url = f"/api/v1/tickets/{ticket.code}/cancel?token={ticket.tracking_token}"
    response = post_json(client, url, {"reason": "不修了"})
    assert response.status_code == 409 and response.json()["code"] == "cancel_not_allowed"
    other = ticket_at(S.DISPATCHING, fault_type=fault_type)
    response = post_json(
        client,
        f"/api/v1/tickets/{other.code}/cancel?token={ticket.tracking_token}",
        {"reason": "x"},
    )
    assert response.status_code == 404
    response = client.post(track(other, "cancel/"), {"reason": "找了别人修"})
    assert response.status_code == 302
    assert Ticket.objects.get(pk=other.pk).status == S.CANCELLED
    assert Ticket.objects.get(pk=ticket.pk).status == S.ON_SITE


def _book(ticket, now):
    from baoxiu.dispatch.appointments import WINDOWS

    day = timezone.localtime(now).date() + timedelta(days=1)
    tz = timezone.get_current_timezone()
    from datetime import datetime

    start = datetime.combine(day, WINDOWS[0][0], tzinfo=tz)
    end = datetime.combine(day, WINDOWS[0][1], tzinfo=tz)
    from baoxiu.tickets.services import ticket_appointment_set

    return ticket_appointment_set(ticket=ticket, start=start, end=end, data={"minutes": 60})


def test_reschedule_refused_close_to_the_visit(fault_type):
    ticket = ticket_at(S.DISPATCHING, fault_type=fault_type)
    now = timezone.now()
    ticket = _book(ticket, now)
    before = snapshot(ticket)
    too_late = ticket.appointment_start - timedelta(hours=1)
    with pytest.raises(ValidationFailed) as refused:
        appointment_change_by_customer(
            ticket=ticket, start=ticket.appointment_start + timedelta(hours=2), now=too_late
        )
    assert refused.value.code == "reschedule_too_late"
    assert snapshot(ticket) == before


def test_reschedule_refused_after_the_limit(fault_type):
    ticket = ticket_at(S.DISPATCHING, fault_type=fault_type)
    now = timezone.now()
    ticket = _book(ticket, now)
    for _ in range(2):
        TicketEvent.objects.create(
            ticket=ticket, type=EventType.APPOINTMENT, actor_label="客户", created_at=now
        )
    ticket.refresh_from_db()
    before = snapshot(ticket)
    with pytest.raises(ValidationFailed) as refused:
        appointment_change_by_customer(
            ticket=ticket,
            start=ticket.appointment_start + timedelta(hours=2),
            now=ticket.appointment_start - timedelta(days=1),
        )
    assert refused.value.code == "reschedule_limit"
    assert snapshot(ticket) == before


def test_reschedule_refusal_on_the_tracking_page(client, fault_type):
    ticket = ticket_at(S.DISPATCHING, fault_type=fault_type)
    ticket = _book(ticket, timezone.now() - timedelta(days=1))  # tomorrow from yesterday: today
    Ticket.objects.filter(pk=ticket.pk).update(
        appointment_start=timezone.now() + timedelta(minutes=30)
    )
    ticket.refresh_from_db()
    before = snapshot(ticket)
    start = (ticket.appointment_start + timedelta(days=1)).isoformat()
    response = client.post(track(ticket, "appointment/"), {"start": start}, follow=True)
    assert "距预约时间不足2小时，不能在线改约，请联系客服。" in response.content.decode()
    assert snapshot(ticket) == before


def test_rating_once_after_completion(fault_type, technician):
    ticket = ticket_at(S.IN_PROGRESS, fault_type=fault_type, technician=technician)
    with pytest.raises(IllegalTransition) as refused:
        rating_create(ticket=ticket, stars=5)
    assert refused.value.code == "not_rateable"
    Ticket.objects.filter(pk=ticket.pk).update(status=S.COMPLETED)
    ticket.refresh_from_db()
    for bad in (0, 6, "x"):
        with pytest.raises(ValidationFailed) as refused:
            rating_create(ticket=ticket, stars=bad)
        assert refused.value.code == "stars_invalid"
    rating = rating_create(ticket=ticket, stars=4, comment="师傅准时")
    assert (rating.stars, rating.comment) == (4, "师傅准时")
    with pytest.raises(ValidationFailed) as refused:
        rating_create(ticket=ticket, stars=1, comment="改个差评")
    assert refused.value.code == "already_rated"
    assert Rating.objects.get(ticket=ticket).stars == 4
    assert ticket.events.filter(type=EventType.RATED).count() == 1


def test_rating_api_once(client, fault_type, technician):
    ticket = ticket_at(S.COMPLETED, fault_type=fault_type, technician=technician)
    url = f"/api/v1/tickets/{ticket.code}/rating?token={ticket.tracking_token}"
    assert post_json(client, url, {"stars": 9}).status_code == 422
    assert post_json(client, url, {"stars": 5, "comment": "好"}).status_code == 201
    response = post_json(client, url, {"stars": 1})
    assert response.status_code == 422 and response.json()["code"] == "already_rated"


def test_complaint_creates_record_event_and_desk_alert(fault_type):
    ticket = ticket_at(S.DISPATCHING, fault_type=fault_type)
    complaint = complaint_create(ticket=ticket, kind="escalation", text="等了三个小时还没人联系")
    assert Complaint.objects.get() == complaint
    event = ticket.events.get(type=EventType.COMPLAINT)
    assert event.note == "等了三个小时还没人联系" and event.actor_label == "客户"
    alert = DispatchAlert.objects.get(ticket=ticket)
    assert alert.kind == AlertKind.COMPLAINT
    assert alert.message == "催办/要求升级处理：等了三个小时还没人联系"


def test_complaint_refusals_write_nothing(fault_type):
    ticket = ticket_at(S.DISPATCHING, fault_type=fault_type)
    for kind, text, code in [
        ("complaint", "  ", "complaint_text_required"),
        ("complaint", "长" * 1001, "complaint_too_long"),
        ("praise", "好", "complaint_kind_invalid"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            complaint_create(ticket=ticket, kind=kind, text=text)
        assert refused.value.code == code
    assert not Complaint.objects.exists() and not DispatchAlert.objects.exists()
    assert not ticket.events.filter(type=EventType.COMPLAINT).exists()


def test_complaint_text_is_escaped_everywhere(client, fault_type, agent, dispatcher):
    from tests.factories import PASSWORD

    ticket = ticket_at(S.DISPATCHING, fault_type=fault_type)
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = client.post(track(ticket, "complaint/"), {"kind": "complaint", "text": payload})
    assert response.status_code == 302
    page = client.get(track(ticket)).content.decode()
    assert payload not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    client.login(username="agent", password=PASSWORD)
    for url in (f"/console/tickets/{ticket.code}/", "/console/followups/"):
        body = client.get(url).content.decode()
        assert payload not in body and escaped in body
    client.logout()
    client.login(username="dispatcher", password=PASSWORD)
    board = client.get("/console/dispatch/").content.decode()  # the desk alert
    assert payload not in board and "投诉：&lt;script&gt;" in board


def test_desk_answers_a_complaint_and_the_customer_sees_it(client, fault_type, agent):
    from tests.factories import PASSWORD

    ticket = ticket_at(S.DISPATCHING, fault_type=fault_type)
    complaint = complaint_create(ticket=ticket, kind="complaint", text="态度不好")
    client.login(username="agent", password=PASSWORD)
    url = f"/console/tickets/{ticket.code}/complaints/{complaint.pk}/handle/"
    assert client.post(url, {"reply": "已致电道歉并更换师傅"}).status_code == 302
    client.logout()
    assert "已致电道歉并更换师傅" in client.get(track(ticket)).content.decode()


def test_tracking_page_shows_actions_by_status(client, fault_type, technician):
    ticket = ticket_at(S.ON_SITE, fault_type=fault_type, technician=technician)
    page = client.get(track(ticket)).content.decode()
    from baoxiu.evidence.selectors import completion_code

    assert completion_code(ticket) in page
    assert 'data-action="cancel"' not in page and 'data-action="rate"' not in page
    Ticket.objects.filter(pk=ticket.pk).update(status=S.COMPLETED)
    page = client.get(track(ticket), headers={"HX-Request": "true"}).content.decode()
    assert 'data-action="rate"' in page and 'data-action="customer-confirm"' in page


def test_desk_followups_lists_open_items_in_scope(client, fault_type, technician, agent):
    from baoxiu.tickets.transitions import ticket_transition
    from tests.factories import PASSWORD

    ticket = ticket_at(S.DISPATCHING, fault_type=fault_type)
    complaint_create(ticket=ticket, kind="complaint", text="没人联系<我>")
    job = ticket_at(S.IN_PROGRESS, fault_type=fault_type, technician=technician)
    ticket_transition(ticket=job, action="complete", actor=technician.user)
    client.login(username="agent", password=PASSWORD)
    page = client.get("/console/followups/").content.decode()
    assert ticket.code in page and job.code in page
    assert "没人联系&lt;我&gt;" in page
    client.logout()
    client.login(username=technician.user.username, password=PASSWORD)
    assert client.get("/console/followups/").status_code == 403
