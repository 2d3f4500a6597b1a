"""Roles are enforced on every staff page; technicians see only their own jobs."""

import pytest
from django.urls import reverse

from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import PASSWORD, UserFactory, approve_quote, make_ticket

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    ("console:home", {}),
    ("console:tickets", {}),
    ("console:ticket_new", {}),
    ("console:dispatch", {}),
    ("console:my_jobs", {}),
]


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def assigned_ticket(fault_type, technician, dispatcher):
    ticket = make_ticket(fault_type=fault_type)
    ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)
    return ticket


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_anonymous_is_sent_to_login(client, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_anonymous_cannot_post_actions(client, assigned_ticket):
    url = reverse("console:ticket_action", kwargs={"code": assigned_ticket.code})
    response = client.post(url, {"action": "accept"})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert Ticket.objects.get(pk=assigned_ticket.pk).status == TicketStatus.ASSIGNED


def test_technician_cannot_see_another_technicians_job(client, assigned_ticket, other_technician):
    login(client, other_technician.user)
    detail = reverse("console:ticket_detail", kwargs={"code": assigned_ticket.code})
    assert client.get(detail).status_code == 404
    action = reverse("console:ticket_action", kwargs={"code": assigned_ticket.code})
    assert client.post(action, {"action": "accept"}).status_code == 404
    assert assigned_ticket.code not in client.get(reverse("console:my_jobs")).content.decode()
    assert Ticket.objects.get(pk=assigned_ticket.pk).status == TicketStatus.ASSIGNED


def test_technician_sees_and_moves_own_job(client, assigned_ticket, technician):
    login(client, technician.user)
    jobs = client.get(reverse("console:my_jobs"))
    assert assigned_ticket.code in jobs.content.decode()
    action = reverse("console:ticket_action", kwargs={"code": assigned_ticket.code})
    for step, status in [
        ("accept", TicketStatus.ACCEPTED),
        ("depart", TicketStatus.EN_ROUTE),
        ("arrive", TicketStatus.ON_SITE),
        ("start_work", TicketStatus.IN_PROGRESS),
        ("complete", TicketStatus.COMPLETED),
    ]:
        if step == "start_work":
            approve_quote(Ticket.objects.get(pk=assigned_ticket.pk))
        version = Ticket.objects.get(pk=assigned_ticket.pk).version
        response = client.post(action, {"action": step, "version": version})
        assert response.status_code == 302
        assert Ticket.objects.get(pk=assigned_ticket.pk).status == status


def test_stale_form_changes_nothing(client, assigned_ticket, technician):
    login(client, technician.user)
    action = reverse("console:ticket_action", kwargs={"code": assigned_ticket.code})
    stale = Ticket.objects.get(pk=assigned_ticket.pk).version - 1
    client.post(action, {"action": "accept", "version": stale})
    assert Ticket.objects.get(pk=assigned_ticket.pk).status == TicketStatus.ASSIGNED


@pytest.mark.parametrize("page", ["console:tickets", "console:dispatch", "console:ticket_new"])
def test_technician_is_refused_desk_pages(client, technician, page):
    login(client, technician.user)
    assert client.get(reverse(page)).status_code == 403


def test_agent_is_refused_dispatch_board(client, agent):
    login(client, agent)
    assert client.get(reverse("console:dispatch")).status_code == 403


def test_dispatcher_assigns_from_detail_page(client, fault_type, technician, dispatcher):
    ticket = make_ticket(fault_type=fault_type)
    login(client, dispatcher)
    assert ticket.code in client.get(reverse("console:dispatch")).content.decode()
    detail = client.get(reverse("console:ticket_detail", kwargs={"code": ticket.code}))
    assert technician.name in detail.content.decode()
    client.post(
        reverse("console:ticket_action", kwargs={"code": ticket.code}),
        {"action": "assign", "technician": technician.pk, "version": ticket.version},
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.technician_id) == (TicketStatus.ASSIGNED, technician.pk)


def test_agent_creates_ticket_for_caller(client, agent, fault_type):
    import uuid

    login(client, agent)
    response = client.post(
        reverse("console:ticket_new"),
        {
            "name": "来电客户",
            "phone": "13700137000",
            "address": "北京市海淀区中关村大街1号",
            "fault_type": fault_type.pk,
            "submission_id": str(uuid.uuid4()),
            "consent": "on",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.channel, ticket.created_by_id) == ("phone", agent.pk)


def test_agent_searches_by_phone_and_code(client, agent, fault_type):
    first = make_ticket(fault_type=fault_type, phone="13700137000")
    second = make_ticket(fault_type=fault_type, phone="13600136000")
    login(client, agent)
    by_phone = client.get(reverse("console:tickets"), {"q": "137 0013 7000"}).content.decode()
    assert first.code in by_phone and second.code not in by_phone
    by_code = client.get(reverse("console:tickets"), {"q": second.code}).content.decode()
    assert second.code in by_code and first.code not in by_code
    # Phone numbers are masked on the list.
    assert "137****7000" in by_phone and "13700137000" not in by_phone


def test_outlet_manager_sees_only_own_outlet(client, assigned_ticket, technician, fault_type):
    manager = UserFactory(username="mgr", role="outlet_manager")
    technician.outlet.manager = manager
    technician.outlet.save(update_fields=["manager"])
    unrelated = make_ticket(fault_type=fault_type, phone="13900139000")
    login(client, manager)
    body = client.get(reverse("console:tickets")).content.decode()
    assert assigned_ticket.code in body and unrelated.code not in body


def test_agent_is_told_when_the_caller_is_outside_the_service_area(client, agent, fault_type):
    import uuid

    from baoxiu.areas.services import coverage_import
    from tests.factories import OutletFactory

    coverage_import(outlet=OutletFactory(), text="杭州市西湖区")
    login(client, agent)
    form = {
        "name": "来电客户",
        "phone": "13700137000",
        "fault_type": fault_type.pk,
        "consent": "on",
    }
    inside = client.post(
        reverse("console:ticket_new"),
        {**form, "address": "杭州市西湖区文三路90号", "submission_id": str(uuid.uuid4())},
        follow=True,
    )
    outside = client.post(
        reverse("console:ticket_new"),
        {**form, "address": "本溪市南芬区某路1号", "submission_id": str(uuid.uuid4())},
        follow=True,
    )
    warning = "该地址不在已公布的服务范围内"
    assert warning not in inside.content.decode()
    assert warning in outside.content.decode()
    assert Ticket.objects.count() == 2
