"""Completion confirmed by the customer's signature on the technician's phone
(besides the code and the tracking page); otherwise the completion goes to review."""

import base64

import pytest
from django.conf import settings
from django.urls import reverse

from baoxiu.api.tests.helpers import post_json
from baoxiu.core.errors import DomainError
from baoxiu.evidence.models import CompletionConfirmation, CompletionReview
from baoxiu.evidence.services import completion_confirm_by_signature
from baoxiu.tickets.choices import EventType, TicketStatus
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import PASSWORD, image_file, ticket_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(fault_type, technician):
    return ticket_at(TicketStatus.IN_PROGRESS, fault_type=fault_type, technician=technician)


def drawn() -> str:
    png = image_file("PNG", size=(320, 140), name="s.png").read()
    return "data:image/png;base64," + base64.b64encode(png).decode()


def stored_files():
    root = settings.PRIVATE_MEDIA_ROOT
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_signature_confirms_and_completion_needs_no_review(job, technician):
    confirmation = completion_confirm_by_signature(
        ticket=job, actor=technician.user, signature=drawn()
    )

    assert confirmation.method == "signature"
    assert confirmation.get_method_display() == "客户现场签名确认"
    assert stored_files() == [confirmation.signature_file]
    assert confirmation.signature_file.startswith(f"signatures/{job.code}/")
    event = job.events.get(type=EventType.CUSTOMER_CONFIRMED)
    assert event.data == {"method": "signature"}
    ticket_transition(ticket=job, action="complete", actor=technician.user)
    assert not CompletionReview.objects.filter(ticket=job).exists()


@pytest.mark.parametrize(
    ("signature", "code"),
    [
        ("", "signature_missing"),
        ("data:image/jpeg;base64,AAAA", "signature_invalid"),
        ("data:image/png;base64,not-base64!", "signature_invalid"),
        ("data:image/png;base64," + base64.b64encode(b"not an image").decode(), None),
    ],
)
def test_bad_signatures_are_refused_and_nothing_is_kept(job, technician, signature, code):
    with pytest.raises(DomainError) as refused:
        completion_confirm_by_signature(ticket=job, actor=technician.user, signature=signature)

    if code:
        assert refused.value.code == code
    else:
        assert refused.value.code.startswith("photo_")
    assert not CompletionConfirmation.objects.exists()
    assert stored_files() == []
    assert not job.events.filter(type=EventType.CUSTOMER_CONFIRMED).exists()


def test_only_the_jobs_technician_and_only_in_progress(
    job, technician, other_technician, fault_type
):
    with pytest.raises(DomainError) as other:
        completion_confirm_by_signature(ticket=job, actor=other_technician.user, signature=drawn())
    assert other.value.status == 403
    on_site = ticket_at(TicketStatus.ON_SITE, fault_type=fault_type, technician=technician)
    with pytest.raises(DomainError) as early:
        completion_confirm_by_signature(ticket=on_site, actor=technician.user, signature=drawn())
    assert early.value.code == "not_in_progress"
    completion_confirm_by_signature(ticket=job, actor=technician.user, signature=drawn())
    with pytest.raises(DomainError) as twice:
        completion_confirm_by_signature(ticket=job, actor=technician.user, signature=drawn())
    assert twice.value.code == "already_confirmed"
    assert CompletionConfirmation.objects.count() == 1 and len(stored_files()) == 1


def test_reopen_deletes_the_signature(
    job, technician, dispatcher, django_capture_on_commit_callbacks
):
    completion_confirm_by_signature(ticket=job, actor=technician.user, signature=drawn())
    ticket = ticket_transition(ticket=job, action="complete", actor=technician.user)

    with django_capture_on_commit_callbacks(execute=True):
        ticket_transition(ticket=ticket, action="reopen", actor=dispatcher, note="又坏了")

    assert not CompletionConfirmation.objects.exists()
    assert stored_files() == []


def test_signature_form_on_the_job_page(client, job, technician):
    assert client.login(username=technician.user.username, password=PASSWORD)
    page = client.get(reverse("evidence:job", kwargs={"code": job.code})).content.decode()
    assert 'data-testid="signature-card"' in page and 'id="signature-pad"' in page
    url = reverse("evidence:signature_enter", kwargs={"code": job.code})

    empty = client.post(url, {"signature": ""})
    assert empty.status_code == 400
    assert "请客户在框内签名。" in empty.content.decode()
    assert not CompletionConfirmation.objects.exists()

    done = client.post(url, {"signature": drawn()}, follow=True)
    assert "客户已签名确认完工" in done.content.decode()
    assert "客户已确认完工（客户现场签名确认）" in done.content.decode()
    assert 'data-testid="signature-card"' not in done.content.decode()


def test_signature_through_the_api(client, job, technician, other_technician):
    url = f"/api/v1/staff/tickets/{job.code}/completion-signature"
    client.force_login(other_technician.user)
    assert post_json(client, url, {"signature": drawn()}).status_code == 404
    client.force_login(technician.user)
    bad = post_json(client, url, {"signature": "data:image/gif;base64,AAAA"})
    assert (bad.status_code, bad.json()["code"]) == (422, "signature_invalid")
    assert not CompletionConfirmation.objects.exists()

    done = post_json(client, url, {"signature": drawn()})

    assert done.status_code == 200
    assert done.json()["method"] == "signature"
