"""Pages cost a fixed number of queries, however many rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from baoxiu.tickets.transitions import ticket_transition
from tests.factories import PASSWORD, make_ticket

pytestmark = pytest.mark.django_db


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_ticket_list_queries_do_not_grow_with_rows(
    client, agent, fault_type, technician, dispatcher
):
    client.login(username=agent.username, password=PASSWORD)
    make_ticket(fault_type=fault_type)
    few = count_queries(client, reverse("console:tickets"))
    for i in range(10):
        ticket = make_ticket(fault_type=fault_type, phone=f"1390000{i:04d}")
        ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)
    assert count_queries(client, reverse("console:tickets")) == few


def test_dispatch_queue_queries_do_not_grow_with_rows(client, dispatcher, fault_type):
    client.login(username=dispatcher.username, password=PASSWORD)
    make_ticket(fault_type=fault_type)
    few = count_queries(client, reverse("console:dispatch"))
    for i in range(10):
        make_ticket(fault_type=fault_type, phone=f"1390000{i:04d}")
    assert count_queries(client, reverse("console:dispatch")) == few


def test_my_jobs_queries_do_not_grow_with_rows(client, technician, dispatcher, fault_type):
    client.login(username=technician.user.username, password=PASSWORD)
    ticket = make_ticket(fault_type=fault_type)
    ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)
    few = count_queries(client, reverse("console:my_jobs"))
    for i in range(10):
        ticket = make_ticket(fault_type=fault_type, phone=f"1390000{i:04d}")
        ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)
    assert count_queries(client, reverse("console:my_jobs")) == few
