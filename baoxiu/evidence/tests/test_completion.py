"""Evidence-backed completion: the fault type's evidence, the customer's
confirmation, and the desk's review when it is missing."""

import pytest

from baoxiu.api.tests.helpers import post_json
from baoxiu.core.errors import IllegalTransition, RateLimited, ValidationFailed
from baoxiu.dispatch.choices import AlertKind
from baoxiu.dispatch.models import DispatchAlert
from baoxiu.evidence.models import CompletionConfirmation, CompletionReview, EvidenceRule
from baoxiu.evidence.selectors import completion_code
from baoxiu.evidence.services import (
    completion_confirm_by_code,
    completion_confirm_by_customer,
    completion_review_resolve,
    part_record,
    photo_add,
)
from baoxiu.tickets.choices import EventType, TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import PASSWORD, image_file, ticket_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(fault_type, technician):
    return ticket_at(TicketStatus.IN_PROGRESS, fault_type=fault_type, technician=technician)


def snapshot(ticket):
    row = Ticket.objects.values("status", "version").get(pk=ticket.pk)
    return row, ticket.events.count()


@pytest.mark.parametrize(
    ("before", "after", "part", "code"),
    [
        (0, 1, "customer", "evidence_before_photo_missing"),
        (1, 0, "customer", "evidence_after_photo_missing"),
        (1, 1, None, "evidence_part_missing"),
        (1, 1, "none", "evidence_old_part_not_returned"),
    ],
)
def test_complete_refused_until_evidence_rule_met(job, technician, before, after, part, code):
    EvidenceRule.objects.create(
        fault_type=job.fault_type, before_photos=1, after_photos=1, old_part_return_required=True
    )
    for kind, count in (("before", before), ("after", after)):
        for _ in range(count):
            photo_add(ticket=job, actor=technician.user, kind=kind, upload=image_file())
    if part:
        part_record(
            ticket=job,
            actor=technician.user,
            name="电机",
            code="M-01",
            new_serial="N123",
            old_serial="O456",
            old_part=part,
        )
    state = snapshot(job)
    with pytest.raises(ValidationFailed) as refused:
        ticket_transition(ticket=job, action="complete", actor=technician.user)
    assert refused.value.code == code
    assert snapshot(job) == state


def test_complete_with_evidence_and_code_needs_no_review(job, technician, dispatcher):
    EvidenceRule.objects.create(
        fault_type=job.fault_type, before_photos=1, after_photos=1, old_part_return_required=True
    )
    photo_add(ticket=job, actor=technician.user, kind="before", upload=image_file())
    photo_add(ticket=job, actor=technician.user, kind="after", upload=image_file())
    part_record(ticket=job, actor=technician.user, name="电机", old_part="outlet")
    completion_confirm_by_code(ticket=job, actor=technician.user, code=completion_code(job))
    job = ticket_transition(ticket=job, action="complete", actor=technician.user)
    assert job.status == TicketStatus.COMPLETED
    assert not CompletionReview.objects.exists()
    job = ticket_transition(ticket=job, action="close", actor=dispatcher)
    assert job.status == TicketStatus.CLOSED


def test_completion_without_confirmation_goes_to_review(job, technician, dispatcher, agent):
    job = ticket_transition(ticket=job, action="complete", actor=technician.user)
    review = CompletionReview.objects.get(ticket=job)
    assert review.is_open
    assert DispatchAlert.objects.filter(ticket=job, kind=AlertKind.COMPLETION_REVIEW).count() == 1
    assert job.events.filter(type=EventType.REVIEW_REQUIRED).count() == 1
    # Internal: the customer's timeline does not show it.
    from baoxiu.tickets.selectors import ticket_public_timeline

    assert not ticket_public_timeline(job).filter(type=EventType.REVIEW_REQUIRED).exists()

    state = snapshot(job)
    with pytest.raises(IllegalTransition) as refused:
        ticket_transition(ticket=job, action="close", actor=dispatcher)
    assert refused.value.code == "completion_review_pending"
    assert snapshot(job) == state

    with pytest.raises(ValidationFailed) as refused:
        completion_review_resolve(ticket=job, actor=agent, note="  ")
    assert refused.value.code == "reason_required"
    completion_review_resolve(ticket=job, actor=agent, note="已电话回访，客户确认修好")
    review.refresh_from_db()
    assert review.resolved_by == agent and review.note == "已电话回访，客户确认修好"
    job.refresh_from_db()
    assert ticket_transition(ticket=job, action="close", actor=dispatcher).status == "closed"


def test_technician_cannot_resolve_review(job, technician):
    from baoxiu.core.errors import PermissionDenied

    job = ticket_transition(ticket=job, action="complete", actor=technician.user)
    with pytest.raises(PermissionDenied):
        completion_review_resolve(ticket=job, actor=technician.user, note="我自己说修好了")
    assert CompletionReview.objects.get(ticket=job).is_open


def test_customer_confirming_after_completion_answers_the_review(job, technician, dispatcher):
    job = ticket_transition(ticket=job, action="complete", actor=technician.user)
    completion_confirm_by_customer(ticket=job)
    assert not CompletionReview.objects.get(ticket=job).is_open
    assert ticket_transition(ticket=job, action="close", actor=dispatcher).status == "closed"


def test_wrong_code_is_refused_and_attempts_are_limited(job, technician):
    right = completion_code(job)
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    for _ in range(5):
        with pytest.raises(ValidationFailed) as refused:
            completion_confirm_by_code(ticket=job, actor=technician.user, code=wrong)
        assert refused.value.code == "code_wrong"
    with pytest.raises(RateLimited) as refused:
        completion_confirm_by_code(ticket=job, actor=technician.user, code=right)
    assert refused.value.code == "code_attempts_exceeded"
    assert not CompletionConfirmation.objects.exists()


def test_code_changes_with_the_tracking_link(job, agent):
    from baoxiu.tickets.services import ticket_tracking_reset

    before = completion_code(job)
    assert len(before) == 6 and before.isdigit()
    job = ticket_tracking_reset(ticket=job, actor=agent)
    assert completion_code(job) != before


def test_confirm_twice_is_refused(job):
    completion_confirm_by_customer(ticket=job)
    with pytest.raises(ValidationFailed) as refused:
        completion_confirm_by_customer(ticket=job)
    assert refused.value.code == "already_confirmed"
    assert job.events.filter(type=EventType.CUSTOMER_CONFIRMED).count() == 1


def test_reopen_clears_the_confirmation(job, technician, dispatcher):
    completion_confirm_by_customer(ticket=job)
    job = ticket_transition(ticket=job, action="complete", actor=technician.user)
    job = ticket_transition(ticket=job, action="reopen", actor=dispatcher, note="又坏了")
    assert not CompletionConfirmation.objects.filter(ticket=job).exists()


def test_code_entry_through_page_and_api(client, job, technician):
    client.login(username=technician.user.username, password=PASSWORD)
    response = client.post(
        f"/console/jobs/{job.code}/evidence/code/", {"completion_code": "000000x"}
    )
    assert response.status_code == 400
    assert "完工码不正确" in response.content.decode()
    response = post_json(
        client, f"/api/v1/staff/tickets/{job.code}/completion-code", {"code": "12"}
    )
    assert response.status_code == 422 and response.json()["code"] == "code_wrong"
    response = post_json(
        client, f"/api/v1/staff/tickets/{job.code}/completion-code", {"code": completion_code(job)}
    )
    assert response.status_code == 200 and response.json()["method"] == "code"


def test_desk_resolves_review_on_the_ticket_page(client, job, technician, agent):
    ticket_transition(ticket=job, action="complete", actor=technician.user)
    client.login(username="agent", password=PASSWORD)
    page = client.get(f"/console/tickets/{job.code}/").content.decode()
    assert "完工审核" in page and 'data-action="review-resolve"' in page
    response = client.post(f"/console/tickets/{job.code}/review/", {"note": "回访确认"})
    assert response.status_code == 302
    assert not CompletionReview.objects.get(ticket=job).is_open
