import pytest
from django.utils import timezone

from baoxiu.core.errors import IdempotencyConflict, ValidationFailed
from baoxiu.core.models import Job
from baoxiu.customers.models import Customer
from baoxiu.notifications.models import Notification
from baoxiu.tickets.choices import EventType, TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.services import TicketRequest, ticket_create
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_create_gives_code_token_event_job_and_notification(fault_type):
    ticket = make_ticket(fault_type=fault_type)

    today = timezone.localdate()
    assert ticket.code == f"BX{today:%y%m%d}0001"
    assert len(ticket.tracking_token) == 32  # 24 random bytes, base64url
    assert ticket.status == TicketStatus.NEW
    assert list(ticket.events.values_list("type", flat=True)) == [EventType.CREATED]
    assert sorted(Job.objects.values_list("name", flat=True)) == [
        "notifications.deliver",
        "tickets.start_dispatch",
    ]
    assert Notification.objects.get().template == "ticket_created"


def test_codes_count_up_within_a_day(fault_type):
    first = make_ticket(fault_type=fault_type)
    second = make_ticket(fault_type=fault_type, phone="13900139000")
    assert int(second.code[-4:]) == int(first.code[-4:]) + 1


def test_same_phone_reuses_customer(fault_type):
    make_ticket(fault_type=fault_type, phone="138 0013 8000")
    make_ticket(fault_type=fault_type, phone="+8613800138000")
    assert Customer.objects.count() == 1


def test_idempotent_retry_returns_same_ticket(fault_type):
    request = TicketRequest(
        name="王小明", phone="13800138000", address_text="深圳市南山区1号", fault_type=fault_type
    )
    first, created_first = ticket_create(request=request, idempotency_key="k-1")
    again, created_again = ticket_create(request=request, idempotency_key="k-1")
    assert (created_first, created_again) == (True, False)
    assert again.pk == first.pk
    assert Ticket.objects.count() == 1


def test_same_key_different_body_is_refused(fault_type):
    base = dict(name="王小明", phone="13800138000", address_text="深圳市南山区1号")
    ticket_create(request=TicketRequest(fault_type=fault_type, **base), idempotency_key="k-2")
    changed = TicketRequest(fault_type=fault_type, **{**base, "address_text": "别处"})
    with pytest.raises(IdempotencyConflict):
        ticket_create(request=changed, idempotency_key="k-2")
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("phone", "12345", "invalid_phone"),
        ("phone", "02088888888", "invalid_phone"),
        ("name", "   ", "validation_error"),
        ("address_text", "", "validation_error"),
        ("description", "锁" * 1001, "validation_error"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(fault_type, field, value, code):
    fields = dict(name="王小明", phone="13800138000", address_text="深圳市南山区1号")
    fields[field] = value
    with pytest.raises(ValidationFailed) as caught:
        ticket_create(request=TicketRequest(fault_type=fault_type, **fields))
    assert caught.value.code == code
    assert (Ticket.objects.count(), Customer.objects.count(), Job.objects.count()) == (0, 0, 0)
