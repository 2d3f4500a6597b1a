"""Visit windows for non-emergency work that the network can actually serve.

A window is offered when at least one outlet covering the ticket's division has
enough unbooked technician time in it: the working minutes of its technicians
who hold the fault's skills (working hours, less the break) that fall inside
the window, times ``USABLE_SHARE`` (the rest goes to driving between jobs),
less the minutes already booked there. Booking takes the time from the outlet
with the most room left, with a conditional UPDATE that can never pass the
capacity, so the last place in a window goes to exactly one customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from baoxiu.catalog.choices import Priority
from baoxiu.core.errors import IllegalTransition, ValidationFailed
from baoxiu.dispatch.assignment import covering_technicians
from baoxiu.dispatch.models import SlotLoad
from baoxiu.tickets.choices import EventType, TicketStatus
from baoxiu.tickets.transitions import transition_follower
from baoxiu.workforce.models import Technician

WINDOWS = ((time(9), time(11)), (time(11), time(13)), (time(14), time(16)), (time(16), time(18)))
DAYS_AHEAD = 3
LEAD_TIME = timedelta(hours=2)  # the earliest window starts at least this far ahead
USABLE_SHARE = 0.75
BOOKABLE = (
    TicketStatus.NEW,
    TicketStatus.DISPATCHING,
    TicketStatus.ASSIGNED,
    TicketStatus.ACCEPTED,
)


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    available: bool
    remaining_minutes: int


def _working_minutes(tech: Technician, start: datetime, end: datetime) -> float:
    """Minutes of [start, end) inside the technician's hours, less the break."""
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    day = local_start.date()
    tz = local_start.tzinfo

    def at(t: time) -> datetime:
        return datetime.combine(day, t, tzinfo=tz)

    def overlap(a: datetime, b: datetime) -> float:
        return max(0.0, (min(b, local_end) - max(a, local_start)).total_seconds() / 60)

    shift = overlap(at(tech.work_start), at(tech.work_end))
    brk = at(tech.break_start)
    return shift - overlap(brk, brk + timedelta(minutes=tech.break_minutes))


def _windows(now: datetime) -> list[tuple[datetime, datetime]]:
    local = timezone.localtime(now)
    first: date = local.date()
    out = []
    for offset in range(DAYS_AHEAD + 1):
        day = first + timedelta(days=offset)
        for a, b in WINDOWS:
            start = datetime.combine(day, a, tzinfo=local.tzinfo)
            if start >= local + LEAD_TIME:
                out.append((start, datetime.combine(day, b, tzinfo=local.tzinfo)))
    return out[: DAYS_AHEAD * len(WINDOWS)]


def _room(ticket, now: datetime) -> dict[datetime, dict[int, tuple[int, int]]]:
    """For each window start: outlet id → (capacity minutes, booked minutes)."""
    technicians = list(covering_technicians(ticket))
    windows = _windows(now)
    if not technicians or not windows:
        return {}
    outlets = {t.outlet_id for t in technicians}
    booked = {
        (row.outlet_id, row.starts_at): row.booked_minutes
        for row in SlotLoad.objects.filter(
            outlet_id__in=outlets, starts_at__gte=windows[0][0], starts_at__lte=windows[-1][0]
        )
    }
    room: dict[datetime, dict[int, tuple[int, int]]] = {}
    for start, end in windows:
        capacity: dict[int, float] = {}
        for tech in technicians:
            capacity[tech.outlet_id] = capacity.get(tech.outlet_id, 0.0) + _working_minutes(
                tech, start, end
            )
        room[start] = {
            outlet: (int(minutes * USABLE_SHARE), booked.get((outlet, start), 0))
            for outlet, minutes in capacity.items()
        }
    return room


def appointment_slots(*, ticket, now: datetime | None = None) -> list[Slot]:
    """The next days' visit windows for ``ticket``, each marked available or full."""
    now = now or timezone.now()
    need = ticket.fault_type.default_duration_minutes
    room = _room(ticket, now)
    slots = []
    for start, end in _windows(now):
        outlets = room.get(start, {})
        remaining = max((cap - used for cap, used in outlets.values()), default=0)
        slots.append(Slot(start, end, remaining >= need, max(remaining, 0)))
    return slots


def bookable_slots(ticket, *, now: datetime | None = None) -> list[Slot]:
    """The windows to offer on the tracking page and the API: none for an
    emergency (served at once) or a ticket past the point of booking."""
    if ticket.priority == Priority.EMERGENCY or ticket.status not in BOOKABLE:
        return []
    return appointment_slots(ticket=ticket, now=now)


def appointment_book(*, ticket, start: datetime, now: datetime | None = None, actor=None):
    """Book the window starting at ``start`` for ``ticket``; returns the updated ticket.

    Refused for emergencies (they are served at once), for tickets already on
    site or done, for a window not offered, and for a window that filled up.
    A new booking releases the previous one. The arrival promise follows the
    window: the SLA arrive clock falls due at its end.
    """
    from baoxiu.dispatch.services import sla_arrival_follow_appointment
    from baoxiu.tickets.services import ticket_appointment_set

    now = now or timezone.now()
    if ticket.priority == Priority.EMERGENCY:
        raise ValidationFailed(_("急修工单会尽快上门，无需预约。"), code="emergency_no_appointment")
    if ticket.status not in BOOKABLE:
        raise IllegalTransition(_("工单当前状态不能预约上门时间。"), code="not_bookable")
    windows = dict(_windows(now))
    if start not in windows:
        raise ValidationFailed(_("请选择列表中的上门时段。"), code="invalid_slot")
    end = windows[start]
    need = ticket.fault_type.default_duration_minutes
    outlets = sorted(
        _room(ticket, now).get(start, {}).items(), key=lambda item: item[1][1] - item[1][0]
    )
    with transaction.atomic():
        outlet_id = None
        for candidate, (capacity, _booked) in outlets:
            load = _load_row(candidate, start)
            won = SlotLoad.objects.filter(pk=load.pk, booked_minutes__lte=capacity - need).update(
                booked_minutes=F("booked_minutes") + need
            )
            if won:
                outlet_id = candidate
                break
        if outlet_id is None:
            raise ValidationFailed(_("该时段已约满，请选择其他时段。"), code="slot_full")
        _release_previous(ticket, need)
        ticket = ticket_appointment_set(
            ticket=ticket,
            start=start,
            end=end,
            actor=actor,
            data={"outlet_id": outlet_id, "minutes": need},
        )
        sla_arrival_follow_appointment(ticket=ticket, end=end, now=now)
    return ticket


def _load_row(outlet_id: int, start: datetime) -> SlotLoad:
    row = SlotLoad.objects.filter(outlet_id=outlet_id, starts_at=start).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return SlotLoad.objects.create(outlet_id=outlet_id, starts_at=start)
    except IntegrityError:
        return SlotLoad.objects.get(outlet_id=outlet_id, starts_at=start)


def _release_previous(ticket, need: int) -> None:
    """Give the booked window's minutes back to the outlet it was taken from."""
    if ticket.appointment_start is None:
        return
    previous = ticket.events.filter(type=EventType.APPOINTMENT).order_by("-id").first()
    outlet_id = previous.data.get("outlet_id") if previous else None
    minutes = previous.data.get("minutes", need) if previous else need
    if outlet_id:
        SlotLoad.objects.filter(
            outlet_id=outlet_id, starts_at=ticket.appointment_start, booked_minutes__gte=minutes
        ).update(booked_minutes=F("booked_minutes") - minutes)


@transition_follower
def appointment_release_on_cancel(*, ticket, event) -> None:
    """A cancelled ticket's booked window becomes bookable again for others
    (inside the cancel transaction; cancelling is final, so it runs once)."""
    if event.type != EventType.CANCELLED or ticket.appointment_start is None:
        return
    _release_previous(ticket, ticket.fault_type.default_duration_minutes)
