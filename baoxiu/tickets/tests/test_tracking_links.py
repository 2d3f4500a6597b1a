from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from baoxiu.core import queue
from baoxiu.notifications.channels.sms.fake import FakeSmsChannel
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import PASSWORD, make_ticket

pytestmark = pytest.mark.django_db


def track(client, ticket, token=None):
    return client.get(f"/t/{ticket.code}/{token or ticket.tracking_token}/")


def test_link_expires_thirty_days_after_closing(client, fault_type, dispatcher):
    ticket = make_ticket(fault_type=fault_type)
    ticket_transition(ticket=ticket, action="cancel", actor=dispatcher, note="客户取消")
    assert track(client, ticket).status_code == 200
    Ticket.objects.filter(pk=ticket.pk).update(cancelled_at=timezone.now() - timedelta(days=31))
    assert track(client, ticket).status_code == 404
    api = client.get(f"/api/v1/tickets/{ticket.code}", {"token": ticket.tracking_token})
    assert (api.status_code, api.json()["code"]) == (404, "tracking_expired")


def test_staff_reset_kills_the_old_link_and_texts_the_new_one(client, agent, fault_type):
    ticket = make_ticket(fault_type=fault_type)
    queue.work(burst=True)
    FakeSmsChannel.reset()
    old = ticket.tracking_token
    client.login(username=agent.username, password=PASSWORD)

    client.post(reverse("console:ticket_tracking_reset", args=[ticket.code]))
    queue.work(burst=True)

    ticket.refresh_from_db()
    assert ticket.tracking_token != old and len(ticket.tracking_token) == 32
    assert track(client, ticket, token=old).status_code == 404
    assert track(client, ticket).status_code == 200
    (sms,) = FakeSmsChannel.outbox
    assert ticket.tracking_token in sms["text"] and old not in sms["text"]
    # Internal: the customer's timeline does not show it.
    assert "查询链接已重置" not in track(client, ticket).content.decode()
