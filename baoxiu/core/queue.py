"""A database-backed job queue that needs no broker.

``enqueue`` writes the job row inside the caller's transaction: it becomes
visible to workers exactly when that transaction commits and disappears with
it on rollback, so a committed ticket can never lose its follow-up work to a
crash between commit and enqueue. Workers claim rows with a conditional
UPDATE and a lease; an expired lease lets another worker retry the job.
Handlers must therefore be idempotent.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from baoxiu.core.choices import JobState
from baoxiu.core.models import Job

logger = logging.getLogger(__name__)

Handler = Callable[[dict], None]
_HANDLERS: dict[str, Handler] = {}


def job(name: str) -> Callable[[Handler], Handler]:
    """Register ``fn(payload)`` as the handler for jobs called ``name``."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[name] = fn
        return fn

    return register


def registered_jobs() -> dict[str, Handler]:
    return dict(_HANDLERS)


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


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def work(
    *,
    worker_id: str | None = None,
    burst: bool = False,
    max_jobs: int | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> int:
    """Process jobs until stopped; with ``burst``, until the queue is empty."""
    worker_id = worker_id or default_worker_id()
    done = 0
    while not should_stop():
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
