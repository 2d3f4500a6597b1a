"""Periodic jobs: once per slot, whoever schedules and however often."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from baoxiu.core import queue
from baoxiu.core.choices import JobState
from baoxiu.core.models import Job, PeriodicSlot

RUNS: list = []
NAME = "test.every_minute"
T0 = datetime(2026, 3, 1, 9, 0, 5, tzinfo=UTC)  # 5 s into a minute slot


@queue.periodic(NAME, every=timedelta(minutes=1))
def every_minute(payload):
    RUNS.append(payload["slot"])


@pytest.fixture(autouse=True)
def _reset_runs():
    RUNS.clear()


def scheduled():
    """(slot, state) of the test job's rows, oldest first."""
    rows = Job.objects.filter(name=NAME).order_by("id")
    return [(row.payload["slot"], row.state) for row in rows]


def slot_number(moment):
    return int(moment.timestamp()) // 60


def test_registration_makes_a_handler_and_a_schedule():
    assert queue.registered_jobs()[NAME] is every_minute
    assert queue.registered_periodic()[NAME] == timedelta(minutes=1)


def test_slots_are_cut_from_the_epoch():
    number, start = queue.slot_of(T0, timedelta(minutes=1))
    assert (number, start) == (slot_number(T0), datetime(2026, 3, 1, 9, 0, tzinfo=UTC))


def test_too_short_an_interval_is_refused():
    with pytest.raises(ValueError):
        queue.periodic("test.too_often", every=timedelta(milliseconds=500))


@pytest.mark.django_db
def test_two_calls_in_one_slot_enqueue_once_and_the_next_slot_again():
    assert NAME in queue.schedule_due(T0)
    assert NAME not in queue.schedule_due(T0 + timedelta(seconds=50))
    assert scheduled() == [(slot_number(T0), JobState.QUEUED)]
    job_row = Job.objects.get(name=NAME)
    assert job_row.dedupe_key == f"periodic:{NAME}:{slot_number(T0)}"
    assert job_row.max_attempts == 1

    queue.work(burst=True)
    assert RUNS == [slot_number(T0)]

    assert NAME in queue.schedule_due(T0 + timedelta(minutes=1))
    assert scheduled() == [
        (slot_number(T0), JobState.DONE),
        (slot_number(T0) + 1, JobState.QUEUED),
    ]


@pytest.mark.django_db
def test_a_slot_whose_job_already_ran_is_not_enqueued_again():
    queue.schedule_due(T0)
    queue.work(burst=True)
    assert NAME not in queue.schedule_due(T0 + timedelta(seconds=30))
    assert scheduled() == [(slot_number(T0), JobState.DONE)]
    assert RUNS == [slot_number(T0)]


@pytest.mark.django_db
def test_a_waiting_run_covers_later_slots_instead_of_piling_up():
    queue.schedule_due(T0)
    assert NAME not in queue.schedule_due(T0 + timedelta(minutes=1))
    assert NAME not in queue.schedule_due(T0 + timedelta(minutes=2))
    assert scheduled() == [(slot_number(T0), JobState.QUEUED)]
    # The slots were claimed all the same: catching up later adds nothing for them.
    assert PeriodicSlot.objects.get(name=NAME).slot_start == datetime(2026, 3, 1, 9, 2, tzinfo=UTC)


@pytest.mark.django_db
def test_a_clock_going_backwards_enqueues_nothing():
    queue.schedule_due(T0 + timedelta(minutes=5))
    queue.work(burst=True)
    assert NAME not in queue.schedule_due(T0)
    assert scheduled() == [(slot_number(T0) + 5, JobState.DONE)]


@pytest.mark.django_db
def test_burst_work_schedules_only_when_asked():
    queue.work(burst=True)
    assert scheduled() == []
    queue.work(burst=True, schedule_periodic=True, worker_id="restarted")
    assert len(RUNS) == 1
    assert [state for _slot, state in scheduled()] == [JobState.DONE]


@pytest.mark.django_db
def test_a_running_worker_schedules_by_default():
    queue.work(worker_id="long-running", max_jobs=2)
    assert len(scheduled()) == 1
    assert set(Job.objects.values_list("name", flat=True)) == set(queue.registered_periodic())


@pytest.mark.django_db(transaction=True)
def test_workers_scheduling_at_once_enqueue_one_job_per_slot():
    barrier = threading.Barrier(4)
    results: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def worker(name):
        try:
            barrier.wait()
            results[name] = queue.schedule_due(T0)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert sum(NAME in names for names in results.values()) == 1
    assert scheduled() == [(slot_number(T0), JobState.QUEUED)]
