"""A database-backed job queue that needs no broker.

``enqueue`` writes the job row inside the caller's transaction: it becomes
visible to workers exactly when that transaction commits and disappears with
it on rollback, so a committed ticket can never lose its follow-up work to a
crash between commit and enqueue. Workers claim rows with a conditional
UPDATE and a lease; an expired lease lets another worker retry the job.
Handlers must therefore be idempotent.

Periodic jobs (``@periodic(name, every=...)``) run on a schedule without cron:
time is cut into slots of ``every`` counted from the Unix epoch, and the
worker loop calls ``schedule_due(now)`` every few seconds. Each call claims
the current slot of every periodic job with a conditional UPDATE on its
``PeriodicSlot`` row and enqueues the job only when the claim wins, with the
dedupe key ``periodic:{name}:{slot}``; so however many workers call it, each
slot is enqueued once, and a slot whose job already finished is not enqueued
again. A periodic job still waiting in the queue covers later slots too: no
backlog of identical runs piles up behind a slow worker.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from baoxiu.core.choices import JobState
from baoxiu.core.models import Job, PeriodicSlot

logger = logging.getLogger(__name__)

Handler = Callable[[dict], None]
_HANDLERS: dict[str, Handler] = {}
_PERIODIC: dict[str, timedelta] = {}

# How often a running worker looks for periodic jobs that are due.
SCHEDULE_CHECK_SECONDS = 5.0


def job(name: str) -> Callable[[Handler], Handler]:
    """Register ``fn(payload)`` as the handler for jobs called ``name``."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[name] = fn
        return fn

    return register


def registered_jobs() -> dict[str, Handler]:
    return dict(_HANDLERS)


def periodic(name: str, every: timedelta) -> Callable[[Handler], Handler]:
    """Register ``fn(payload)`` as job ``name`` and run it once every ``every``.

    The payload carries the slot: ``{"slot": n, "slot_start": iso}``. A run may
    start late (queue backlog, no worker up), so handlers read the clock
    themselves instead of trusting the slot time.
    """
    if every < timedelta(seconds=1):
        raise ValueError("a periodic job runs at most once a second")

    def register(fn: Handler) -> Handler:
        _HANDLERS[name] = fn
        _PERIODIC[name] = every
        return fn

    return register


def registered_periodic() -> dict[str, timedelta]:
    return dict(_PERIODIC)


def slot_of(now, every: timedelta) -> tuple[int, datetime]:
    """The number and start of the slot of length ``every`` that ``now`` falls in."""
    step = int(every.total_seconds())
    number = int(now.timestamp()) // step
    return number, datetime.fromtimestamp(number * step, tz=UTC)


def schedule_due(now) -> list[str]:
    """Enqueue every periodic job whose current slot has not been enqueued yet.

    Safe to call from any number of workers at any rate; returns the names
    enqueued by this call. Each job is claimed in its own transaction, so one
    failing claim does not hold back the others.
    """
    enqueued = []
    for name, every in sorted(_PERIODIC.items()):
        number, start = slot_of(now, every)
        with transaction.atomic():
            if not _claim_slot(name, start, now):
                continue
            waiting = Job.objects.filter(
                name=name, state=JobState.QUEUED, dedupe_key__startswith=f"periodic:{name}:"
            ).exists()
            if waiting:
                continue  # the run still waiting in the queue covers this slot
            # No retries: a failed run is followed by the next slot's run anyway.
            job_row = enqueue(
                name,
                {"slot": number, "slot_start": start.isoformat()},
                dedupe_key=f"periodic:{name}:{number}",
                max_attempts=1,
            )
            if job_row is not None:
                enqueued.append(name)
    return enqueued


def _claim_slot(name: str, start: datetime, now) -> bool:
    won = PeriodicSlot.objects.filter(name=name, slot_start__lt=start).update(
        slot_start=start, enqueued_at=now
    )
    if won:
        return True
    if PeriodicSlot.objects.filter(name=name).exists():
        return False  # this slot (or a later one) is already taken
    try:
        with transaction.atomic():
            PeriodicSlot.objects.create(name=name, slot_start=start, enqueued_at=now)
    except IntegrityError:
        return False  # another worker created the row first and so owns the slot
    return True


def enqueue(
    name: str,
    payload: dict | None = None,
    *,
    dedupe_key: str = "",
    delay: timedelta | None = None,
    max_attempts: int = 5,
) -> Job | None:
    """Add a job; with ``dedupe_key``, an unfinished job with that key is kept instead.

    Returns the new job, or ``None`` when an unfinished duplicate exists.
    """
    if name not in _HANDLERS:
        raise LookupError(f"no job handler registered as {name!r}")
    try:
        with transaction.atomic():
            return Job.objects.create(
                name=name,
                payload=payload or {},
                dedupe_key=dedupe_key,
                run_after=timezone.now() + (delay or timedelta(0)),
                max_attempts=max_attempts,
            )
    except IntegrityError:
        if (
            dedupe_key
            and Job.objects.filter(
                dedupe_key=dedupe_key, state__in=[JobState.QUEUED, JobState.RUNNING]
            ).exists()
        ):
            return None
        raise


def _claimable(now) -> Q:
    return Q(state=JobState.QUEUED, run_after__lte=now) | Q(
        state=JobState.RUNNING, locked_until__lt=now
    )


def claim_next(worker_id: str) -> Job | None:
    """Take the oldest ready job for ``worker_id``, or ``None`` if there is none."""
    now = timezone.now()
    lease = timedelta(seconds=settings.WORKER_LEASE_SECONDS)
    candidates = Job.objects.filter(_claimable(now)).order_by("run_after", "id")
    if connection.vendor == "postgresql":
        # Skip rows another worker is claiming right now instead of queueing on them.
        with transaction.atomic():
            ids = list(
                candidates.select_for_update(skip_locked=True).values_list("id", flat=True)[:5]
            )
            return _claim_first(ids, worker_id, now, lease)
    ids = list(candidates.values_list("id", flat=True)[:5])
    return _claim_first(ids, worker_id, now, lease)


def _claim_first(ids, worker_id, now, lease) -> Job | None:
    for job_id in ids:
        won = Job.objects.filter(_claimable(now), pk=job_id).update(
            state=JobState.RUNNING,
            locked_by=worker_id,
            locked_until=now + lease,
            attempts=F("attempts") + 1,
        )
        if won:
            return Job.objects.get(pk=job_id)
    return None


def run_job(job_row: Job, worker_id: str) -> bool:
    """Run a claimed job; its writes and its completion commit together."""
    handler = _HANDLERS.get(job_row.name)
    try:
        if handler is None:
            raise LookupError(f"no handler for {job_row.name!r}")
        with transaction.atomic():
            handler(job_row.payload)
            finished = Job.objects.filter(
                pk=job_row.pk, state=JobState.RUNNING, locked_by=worker_id
            ).update(state=JobState.DONE, finished_at=timezone.now(), last_error="")
            if not finished:
                raise RuntimeError("lease lost before the job finished")
        return True
    except Exception as exc:  # noqa: BLE001 - a failing job must not stop the worker
        # Only the exception type and message: handlers keep personal data out of both.
        error = f"{type(exc).__name__}: {exc}"[:2000]
        logger.warning("job %s#%s failed: %s", job_row.name, job_row.pk, error)
        attempts = job_row.attempts
        if attempts >= job_row.max_attempts:
            changes = {"state": JobState.FAILED, "finished_at": timezone.now()}
        else:
            backoff = timedelta(seconds=min(3600, 5 * 2 ** (attempts - 1)))
            changes = {"state": JobState.QUEUED, "run_after": timezone.now() + backoff}
        Job.objects.filter(pk=job_row.pk, locked_by=worker_id).update(
            last_error=error, locked_until=None, **changes
        )
        return False


def _schedule_safely() -> None:
    try:
        schedule_due(timezone.now())
    except Exception as exc:  # noqa: BLE001 - a busy database must not stop the worker
        logger.warning("scheduling periodic jobs failed: %s: %s", type(exc).__name__, exc)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def work(
    *,
    worker_id: str | None = None,
    burst: bool = False,
    max_jobs: int | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    schedule_periodic: bool | None = None,
) -> int:
    """Process jobs until stopped; with ``burst``, until the queue is empty.

    With ``schedule_periodic`` (the default unless ``burst``), due periodic
    jobs are enqueued first and then every ``SCHEDULE_CHECK_SECONDS``; a burst
    run drains the queue as it is unless asked to schedule too.
    """
    worker_id = worker_id or default_worker_id()
    schedule = (not burst) if schedule_periodic is None else schedule_periodic
    next_schedule = 0.0
    done = 0
    while not should_stop():
        if schedule and time.monotonic() >= next_schedule:
            _schedule_safely()
            next_schedule = time.monotonic() + SCHEDULE_CHECK_SECONDS
        job_row = claim_next(worker_id)
        if job_row is None:
            if burst:
                break
            time.sleep(settings.WORKER_POLL_SECONDS)
            continue
        run_job(job_row, worker_id)
        done += 1
        if max_jobs is not None and done >= max_jobs:
            break
    return done
