"""The SLA tick runs on the worker's schedule and survives a worker restart."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from baoxiu.catalog.choices import Priority
from baoxiu.core import queue
from baoxiu.core.choices import JobState
from baoxiu.core.models import Job
from baoxiu.dispatch.choices import AlertKind, ClockKind, ClockState
from baoxiu.dispatch.models import DispatchAlert, SlaClock
from baoxiu.dispatch.services import SlaTickResult, sla_tick
from baoxiu.dispatch.tests.test_sla import new_ticket, shift_back, sla_events, start_of
from baoxiu.tickets.choices import EventType, TicketStatus

pytestmark = pytest.mark.django_db

M = timedelta(minutes=1)


def test_sla_tick_is_a_periodic_job_every_30_seconds():
    assert queue.registered_periodic()["dispatch.sla_tick"] == timedelta(seconds=30)


def test_timers_fire_after_a_worker_restart():
    # Given an emergency ticket whose dispatch warning a worker raised before it died.
    ticket = new_ticket(Priority.EMERGENCY)
    assert sla_tick(now=start_of(ticket) + 4 * M) == SlaTickResult(warned=1, breached=0)
    # ... and no worker running for the next 40 minutes (the clocks are in the
    # database; moving them back is the same as the wall clock moving on).
    shift_back(ticket, 40 * M)

    # When a fresh worker starts with nothing in memory.
    queue.work(worker_id="after-restart", burst=True, schedule_periodic=True)

    # Then it schedules the tick itself and raises what fell due while it was down, once.
    tick = Job.objects.get(name="dispatch.sla_tick")
    assert (tick.state, tick.locked_by) == (JobState.DONE, "after-restart")
    assert sla_events(ticket) == [
        (EventType.SLA_WARNING, ClockKind.DISPATCH),
        (EventType.SLA_BREACHED, ClockKind.DISPATCH),
        (EventType.SLA_BREACHED, ClockKind.ARRIVE),
    ]
    sla_alerts = DispatchAlert.objects.filter(clock__isnull=False)
    assert sorted(sla_alerts.values_list("kind", "clock__kind")) == [
        (AlertKind.SLA_BREACHED, ClockKind.ARRIVE),
        (AlertKind.SLA_BREACHED, ClockKind.DISPATCH),
        (AlertKind.SLA_WARNING, ClockKind.DISPATCH),
    ]
    # Automatic assignment ran too and found no technician (none exist here).
    assert DispatchAlert.objects.filter(kind=AlertKind.NO_TECHNICIAN).count() == 1
    assert dict(SlaClock.objects.filter(ticket=ticket).values_list("kind", "state")) == {
        ClockKind.DISPATCH: ClockState.BREACHED,
        ClockKind.ARRIVE: ClockState.BREACHED,
        ClockKind.COMPLETE: ClockState.RUNNING,
    }
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DISPATCHING  # the ordinary jobs ran too


def test_the_worker_command_schedules_even_in_a_burst():
    ticket = new_ticket(Priority.EMERGENCY)
    shift_back(ticket, 6 * M)

    call_command("run_worker", burst=True, worker_id="cron", stdout=io.StringIO())

    assert sla_events(ticket) == [(EventType.SLA_BREACHED, ClockKind.DISPATCH)]
    assert Job.objects.get(name="dispatch.sla_tick").state == JobState.DONE
