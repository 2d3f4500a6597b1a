import io

import pytest
from django.core.management import call_command

from baoxiu.core.choices import JobState
from baoxiu.core.models import Job
from baoxiu.notifications.channels.sms.fake import FakeSmsChannel
from baoxiu.notifications.models import Notification
from baoxiu.tickets.choices import TicketStatus
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_worker_dispatches_new_ticket_and_sends_its_message(fault_type):
    ticket = make_ticket(fault_type=fault_type, phone="13800138000")

    call_command("run_worker", burst=True, stdout=io.StringIO())

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DISPATCHING
    assert set(Job.objects.values_list("state", flat=True)) == {JobState.DONE}
    assert Notification.objects.get().state == "sent"
    (sms,) = FakeSmsChannel.outbox
    assert sms["phone"] == "13800138000"
    assert ticket.code in sms["text"] and ticket.tracking_token in sms["text"]


def test_running_a_delivery_twice_sends_once(fault_type):
    from baoxiu.notifications.services import notification_deliver

    make_ticket(fault_type=fault_type)
    notification = Notification.objects.get()
    notification_deliver(notification_id=notification.pk)
    notification_deliver(notification_id=notification.pk)
    assert len(FakeSmsChannel.outbox) == 1
