import pytest

from baoxiu.core.choices import JobState
from baoxiu.core.models import Job
from baoxiu.core.queue import run_job
from baoxiu.privacy.numbers.fake import FakePrivacyNumbers
from baoxiu.privacy.tests.fake_provider import TOKEN, FakeProviderServer


@pytest.fixture(autouse=True)
def _fake_privacy_numbers():
    FakePrivacyNumbers.reset()
    yield
    FakePrivacyNumbers.reset()


@pytest.fixture
def provider(settings):
    """The HTTP adapter pointed at a fake provider on 127.0.0.1, with a short timeout."""
    server = FakeProviderServer().start()
    settings.PRIVACY_NUMBER_BACKEND = "baoxiu.privacy.numbers.http.HttpPrivacyNumbers"
    settings.PRIVACY_NUMBER_URL = server.url
    settings.PRIVACY_NUMBER_TOKEN = TOKEN
    settings.PRIVACY_NUMBER_TIMEOUT = 0.5
    yield server
    server.stop()


def run_privacy_jobs(*, due_only: bool = True) -> list[Job]:
    """Run the queued privacy-number jobs once each, as a worker would, and return them.

    Other jobs (auto-dispatch, notifications) stay queued, so a test controls
    who is assigned. ``due_only=False`` also runs jobs waiting for a retry.
    """
    from django.utils import timezone

    ran = []
    queued = Job.objects.filter(name__startswith="privacy.", state=JobState.QUEUED)
    if due_only:
        queued = queued.filter(run_after__lte=timezone.now())
    for job_row in queued.order_by("id"):
        Job.objects.filter(pk=job_row.pk).update(
            state=JobState.RUNNING, locked_by="test-worker", attempts=job_row.attempts + 1
        )
        job_row.refresh_from_db()
        run_job(job_row, "test-worker")
        job_row.refresh_from_db()
        ran.append(job_row)
    return ran
