import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from baoxiu.core import queue
from baoxiu.core.choices import JobState
from baoxiu.core.models import Job

CALLS: list = []


@queue.job("test.record")
def record(payload):
    CALLS.append(payload["n"])


@queue.job("test.fail")
def fail(payload):
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS.clear()


@pytest.mark.django_db
def test_job_written_in_a_rolled_back_transaction_disappears():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue.enqueue("test.record", {"n": 1})
        raise RuntimeError("rollback")
    assert Job.objects.count() == 0


@pytest.mark.django_db
def test_dedupe_key_keeps_one_open_job():
    first = queue.enqueue("test.record", {"n": 1}, dedupe_key="same")
    second = queue.enqueue("test.record", {"n": 2}, dedupe_key="same")
    assert first is not None and second is None
    assert queue.work(burst=True) == 1
    assert CALLS == [1]
    # Once finished, the key is free again.
    assert queue.enqueue("test.record", {"n": 3}, dedupe_key="same") is not None


@pytest.mark.django_db
def test_failure_backs_off_then_fails_for_good():
    job_row = queue.enqueue("test.fail", {}, max_attempts=2)
    queue.work(burst=True)
    job_row.refresh_from_db()
    assert (job_row.state, job_row.attempts) == (JobState.QUEUED, 1)
    assert job_row.last_error == "RuntimeError: boom"
    assert job_row.run_after > timezone.now()
    Job.objects.filter(pk=job_row.pk).update(run_after=timezone.now())
    queue.work(burst=True)
    job_row.refresh_from_db()
    assert (job_row.state, job_row.attempts) == (JobState.FAILED, 2)


@pytest.mark.django_db
def test_expired_lease_is_taken_over():
    job_row = queue.enqueue("test.record", {"n": 7})
    claimed = queue.claim_next("crashed-worker")
    assert claimed.pk == job_row.pk
    assert queue.claim_next("other") is None  # leased
    Job.objects.filter(pk=job_row.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert queue.work(worker_id="other", burst=True) == 1
    job_row.refresh_from_db()
    assert (job_row.state, job_row.locked_by, CALLS) == (JobState.DONE, "other", [7])


def test_unknown_job_name_is_refused():
    with pytest.raises(LookupError):
        queue.enqueue("no.such.job")


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_run_the_same_job():
    for n in range(30):
        queue.enqueue("test.record", {"n": n})
    barrier = threading.Barrier(2)

    def worker(name):
        try:
            barrier.wait()
            queue.work(worker_id=name, burst=True)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(CALLS) == list(range(30))
    assert Job.objects.filter(state=JobState.DONE).count() == 30
