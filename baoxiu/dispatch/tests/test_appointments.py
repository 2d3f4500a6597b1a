"""Visit windows: offered only where there is room, booked without overbooking."""

import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from baoxiu.areas.services import coverage_import
from baoxiu.catalog.choices import Priority
from baoxiu.core.errors import IllegalTransition, ValidationFailed
from baoxiu.dispatch.appointments import appointment_book, appointment_slots
from baoxiu.dispatch.choices import ClockKind
from baoxiu.dispatch.models import SlaClock, SlotLoad
from baoxiu.tickets.choices import EventType
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import FaultTypeFactory, OutletFactory, TechnicianFactory, make_ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Monday 07:00: the first window today is 09:00 (two hours' lead time).
MONDAY = datetime(2026, 11, 30, 7, 0, tzinfo=SHANGHAI)


@pytest.fixture
def one_technician(db):
    outlet = OutletFactory(code="SZ01")
    coverage_import(outlet=outlet, text="深圳市南山区")
    return TechnicianFactory(
        outlet=outlet, work_start=time(9), work_end=time(18), break_start=time(12), break_minutes=60
    )


@pytest.fixture
def two_hour_fault(db):
    return FaultTypeFactory(code="install", default_duration_minutes=90)


@pytest.mark.django_db
def test_windows_and_their_capacity(one_technician, two_hour_fault):
    ticket = make_ticket(fault_type=two_hour_fault)
    slots = appointment_slots(ticket=ticket, now=MONDAY)
    assert len(slots) == 12  # three days of four windows
    first = slots[0]
    assert (first.start, first.end) == (MONDAY.replace(hour=9), MONDAY.replace(hour=11))
    # 120 working minutes × 75% = 90 bookable: exactly one 90-minute job.
    assert (first.remaining_minutes, first.available) == (90, True)
    # 11:00–13:00 holds the lunch hour: 60 minutes × 75% = 45, too little.
    assert (slots[1].remaining_minutes, slots[1].available) == (45, False)


@pytest.mark.django_db
def test_no_covering_technician_means_no_windows(two_hour_fault):
    ticket = make_ticket(fault_type=two_hour_fault)
    assert [s.available for s in appointment_slots(ticket=ticket, now=MONDAY)] == [False] * 12


@pytest.mark.django_db
def test_booking_fills_the_window_and_moves_the_arrival_promise(one_technician, two_hour_fault):
    ticket = make_ticket(fault_type=two_hour_fault)
    nine = MONDAY.replace(hour=9)

    booked = appointment_book(ticket=ticket, start=nine, now=MONDAY)

    assert (booked.appointment_start, booked.appointment_end) == (nine, nine + timedelta(hours=2))
    assert booked.events.filter(type=EventType.APPOINTMENT).get().note == "11-30 09:00–11:00"
    arrive = SlaClock.objects.get(ticket=ticket, kind=ClockKind.ARRIVE)
    assert arrive.due_at == nine + timedelta(hours=2)
    assert SlotLoad.objects.get().booked_minutes == 90
    other = make_ticket(fault_type=two_hour_fault, phone="13900000001")
    assert appointment_slots(ticket=other, now=MONDAY)[0].available is False
    with pytest.raises(ValidationFailed) as full:
        appointment_book(ticket=other, start=nine, now=MONDAY)
    assert full.value.code == "slot_full"
    assert Ticket.objects.get(pk=other.pk).appointment_start is None


@pytest.mark.django_db
def test_rebooking_releases_the_old_window(one_technician, two_hour_fault):
    ticket = make_ticket(fault_type=two_hour_fault)
    appointment_book(ticket=ticket, start=MONDAY.replace(hour=9), now=MONDAY)
    ticket.refresh_from_db()
    appointment_book(ticket=ticket, start=MONDAY.replace(hour=14), now=MONDAY)
    loads = dict(SlotLoad.objects.values_list("starts_at", "booked_minutes"))
    assert loads == {MONDAY.replace(hour=9): 0, MONDAY.replace(hour=14): 90}


@pytest.mark.django_db
def test_refusals(one_technician, two_hour_fault, dispatcher):
    emergency = make_ticket(fault_type=FaultTypeFactory(code="locked", priority=Priority.EMERGENCY))
    with pytest.raises(ValidationFailed):
        appointment_book(ticket=emergency, start=MONDAY.replace(hour=9), now=MONDAY)
    ticket = make_ticket(fault_type=two_hour_fault, phone="13900000002")
    with pytest.raises(ValidationFailed) as odd:
        appointment_book(ticket=ticket, start=MONDAY.replace(hour=10), now=MONDAY)
    assert odd.value.code == "invalid_slot"
    Ticket.objects.filter(pk=ticket.pk).update(status="completed")
    ticket.refresh_from_db()
    with pytest.raises(IllegalTransition):
        appointment_book(ticket=ticket, start=MONDAY.replace(hour=9), now=MONDAY)
    assert SlotLoad.objects.filter(booked_minutes__gt=0).count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_customers_racing_for_the_last_place(one_technician, two_hour_fault):
    tickets = [make_ticket(fault_type=two_hour_fault, phone=f"1390000000{i}") for i in range(2)]
    nine = MONDAY.replace(hour=9)
    barrier = threading.Barrier(2)
    results = []

    def book(ticket):
        try:
            barrier.wait()
            appointment_book(ticket=ticket, start=nine, now=MONDAY)
            results.append("booked")
        except ValidationFailed as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(t,)) for t in tickets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["booked", "slot_full"]
    assert SlotLoad.objects.get().booked_minutes == 90
    assert Ticket.objects.filter(appointment_start__isnull=False).count() == 1


@pytest.mark.django_db
def test_customer_books_on_the_tracking_page(client, one_technician, two_hour_fault):
    ticket = make_ticket(fault_type=two_hour_fault)
    url = f"/t/{ticket.code}/{ticket.tracking_token}/"
    page = client.get(url).content.decode()
    assert 'data-testid="slots"' in page
    now = timezone.now()
    first_open = next(s for s in appointment_slots(ticket=ticket, now=now) if s.available)
    response = client.post(url + "appointment/", {"start": first_open.start.isoformat()})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.appointment_start == first_open.start
    assert "预约上门时间" in client.get(url).content.decode()
    bad = client.post(url + "appointment/", {"start": "not a time"}, follow=True)
    assert "请选择列表中的上门时段。" in bad.content.decode()


@pytest.mark.django_db
def test_slots_and_booking_through_the_api(client, one_technician, two_hour_fault):
    ticket = make_ticket(fault_type=two_hour_fault)
    base = f"/api/v1/tickets/{ticket.code}"
    slots = client.get(f"{base}/slots", {"token": ticket.tracking_token}).json()
    assert len(slots) == 12
    first_open = next(s for s in slots if s["available"])
    booked = client.post(
        f"{base}/appointment?token={ticket.tracking_token}",
        {"start": first_open["start"]},
        content_type="application/json",
    )
    assert booked.status_code == 200
    assert booked.json()["appointment_start"] == first_open["start"]
    wrong = client.post(
        f"{base}/appointment?token={ticket.tracking_token}",
        {"start": "2026-01-01T10:00:00+08:00"},
        content_type="application/json",
    )
    assert (wrong.status_code, wrong.json()["code"]) == (422, "invalid_slot")
    assert client.get(f"{base}/slots", {"token": "wrong"}).status_code == 404


@pytest.mark.django_db
def test_desk_cancel_gives_the_window_back(one_technician, two_hour_fault, dispatcher):
    ticket = make_ticket(fault_type=two_hour_fault)
    nine = MONDAY.replace(hour=9)
    ticket = appointment_book(ticket=ticket, start=nine, now=MONDAY)
    other = make_ticket(fault_type=two_hour_fault, phone="13900000003")
    assert appointment_slots(ticket=other, now=MONDAY)[0].available is False

    ticket_transition(ticket=ticket, action="cancel", actor=dispatcher, note="客户不修了")

    assert SlotLoad.objects.get(starts_at=nine).booked_minutes == 0
    assert appointment_slots(ticket=other, now=MONDAY)[0].available is True
    booked = appointment_book(ticket=other, start=nine, now=MONDAY)
    assert booked.appointment_start == nine
    assert SlotLoad.objects.get(starts_at=nine).booked_minutes == 90


@pytest.mark.django_db
def test_refused_cancel_keeps_the_booking(one_technician, two_hour_fault, dispatcher):
    ticket = make_ticket(fault_type=two_hour_fault)
    nine = MONDAY.replace(hour=9)
    ticket = appointment_book(ticket=ticket, start=nine, now=MONDAY)

    with pytest.raises(ValidationFailed):
        ticket_transition(ticket=ticket, action="cancel", actor=dispatcher, note="")

    assert SlotLoad.objects.get(starts_at=nine).booked_minutes == 90


@pytest.mark.django_db
def test_customer_cancel_on_the_tracking_link_gives_the_window_back(
    client, one_technician, two_hour_fault
):
    ticket = make_ticket(fault_type=two_hour_fault)
    start = next(s for s in appointment_slots(ticket=ticket) if s.available).start
    appointment_book(ticket=ticket, start=start)
    assert SlotLoad.objects.get(starts_at=start).booked_minutes == 90

    response = client.post(
        f"/t/{ticket.code}/{ticket.tracking_token}/cancel/", {"reason": "锁自己好了"}
    )

    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == "cancelled"
    assert SlotLoad.objects.get(starts_at=start).booked_minutes == 0
    other = make_ticket(fault_type=two_hour_fault, phone="13900000004")
    assert next(s for s in appointment_slots(ticket=other) if s.start == start).available
