"""Technicians reach customers through privacy numbers only.

The HTTP adapter is exercised against a fake provider served on 127.0.0.1:
a binding follows every assignment, is released on every event that ends
the technician's part, and a provider that fails reveals nothing.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from baoxiu.core.choices import JobState
from baoxiu.core.models import Job
from baoxiu.evidence.services import completion_confirm_by_customer
from baoxiu.privacy.bindings import BIND_ATTEMPTS, bindings_expire, bindings_sweep
from baoxiu.privacy.choices import BindingState
from baoxiu.privacy.models import PrivacyNumberBinding
from baoxiu.privacy.numbers.fake import FakePrivacyNumbers
from baoxiu.privacy.numbers.http import HttpPrivacyNumbers
from baoxiu.privacy.tests.conftest import run_privacy_jobs
from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import approve_quote, make_ticket

pytestmark = pytest.mark.django_db
PHONE = "13912345678"
UNAVAILABLE = "隐私号暂不可用，请联系客服"


@pytest.fixture
def ticket(fault_type):
    return make_ticket(fault_type=fault_type, phone=PHONE, name="欧阳明珠")


def assign(ticket, dispatcher, technician):
    return ticket_transition(
        ticket=ticket, action="assign", actor=dispatcher, technician=technician
    )


def technician_views(client, technician, ticket) -> list[str]:
    """Every page and API response the technician gets for this ticket."""
    client.force_login(technician.user)
    return [
        client.get(reverse("console:my_jobs")).content.decode(),
        client.get(reverse("console:ticket_detail", args=[ticket.code])).content.decode(),
        client.get(f"/api/v1/staff/tickets/{ticket.code}").content.decode(),
        client.get("/api/v1/staff/tickets").content.decode(),
    ]


def api_contact(client, technician, ticket) -> dict:
    client.force_login(technician.user)
    return client.get(f"/api/v1/staff/tickets/{ticket.code}").json()["contact_number"]


def test_assignment_binds_a_virtual_number_the_technician_sees_instead_of_the_real_one(
    client, provider, ticket, dispatcher, technician
):
    ticket = assign(ticket, dispatcher, technician)
    # Until the provider confirms, there is no number at all.
    assert api_contact(client, technician, ticket) == {
        "available": False,
        "number": "",
        "message": UNAVAILABLE,
    }

    jobs = run_privacy_jobs()

    assert [(j.name, j.state) for j in jobs] == [("privacy.number_bind", JobState.DONE)]
    (post,) = provider.calls("POST")
    # AXB: the virtual number joins the customer (A) with this technician's phone (B).
    assert post[1] == "/bindings" and (post[2]["a"], post[2]["b"]) == (PHONE, technician.phone)
    assert len(technician.phone) == 11
    assert post[2]["request_id"] == f"baoxiu-binding-{PrivacyNumberBinding.objects.get().pk}"
    binding = PrivacyNumberBinding.objects.get()
    assert (binding.state, binding.virtual_number, binding.technician_id) == (
        BindingState.BOUND,
        "17100000001",
        technician.pk,
    )
    assert binding.expires_at > timezone.now() + timedelta(hours=71)
    assert api_contact(client, technician, ticket) == {
        "available": True,
        "number": "17100000001",
        "message": "请拨打隐私号联系客户",
    }
    for body in technician_views(client, technician, ticket):
        assert PHONE not in body
    pages = technician_views(client, technician, ticket)
    assert "17100000001" in pages[0] and "17100000001" in pages[1]


def test_the_binding_row_holds_no_copy_of_the_customer_number(
    provider, ticket, dispatcher, technician
):
    assign(ticket, dispatcher, technician)
    run_privacy_jobs()
    row = PrivacyNumberBinding.objects.values().get()
    assert not any(PHONE in str(value) for value in row.values())


@pytest.mark.parametrize("mode", ["error", "slow", "garbage"])
def test_a_failing_provider_reveals_nothing_and_is_retried(
    client, provider, ticket, dispatcher, technician, mode
):
    provider.mode = mode
    ticket = assign(ticket, dispatcher, technician)

    (job,) = run_privacy_jobs()

    assert job.state == JobState.QUEUED and job.attempts == 1  # retried later by the queue
    assert "ProviderError" in job.last_error and PHONE not in job.last_error
    assert job.run_after > timezone.now()
    assert PrivacyNumberBinding.objects.get().state == BindingState.PENDING
    for body in technician_views(client, technician, ticket):
        assert PHONE not in body
    pages = technician_views(client, technician, ticket)
    assert UNAVAILABLE in pages[0] and UNAVAILABLE in pages[1]
    assert api_contact(client, technician, ticket)["available"] is False

    # The provider recovers; the retry binds.
    provider.mode = "ok"
    (retry,) = run_privacy_jobs(due_only=False)
    assert retry.state == JobState.DONE
    assert api_contact(client, technician, ticket)["number"] == "17100000001"


def in_progress(ticket):
    """Arrange: the assigned job reached the work stage on an approved quote, and the
    customer confirmed the work (status set directly; setup only)."""
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.IN_PROGRESS)
    ticket.refresh_from_db()
    approve_quote(ticket)
    completion_confirm_by_customer(ticket=ticket)
    ticket.refresh_from_db()
    return ticket


RELEASES = {
    "decline": lambda t, d, tech: ticket_transition(
        ticket=t, action="decline", actor=tech.user, note="太远"
    ),
    "unassign": lambda t, d, tech: ticket_transition(
        ticket=t, action="unassign", actor=d, note="改派"
    ),
    "cancel": lambda t, d, tech: ticket_transition(
        ticket=t, action="cancel", actor=d, note="客户取消"
    ),
    "complete": lambda t, d, tech: ticket_transition(
        ticket=in_progress(t), action="complete", actor=tech.user
    ),
}


@pytest.mark.parametrize("action", sorted(RELEASES))
def test_every_event_that_ends_the_technicians_part_unbinds_within_a_minute(
    client, provider, ticket, dispatcher, technician, action
):
    ticket = assign(ticket, dispatcher, technician)
    run_privacy_jobs()
    (binding,) = PrivacyNumberBinding.objects.all()

    before = timezone.now()
    RELEASES[action](ticket, dispatcher, technician)

    binding.refresh_from_db()
    assert binding.state == BindingState.RELEASING  # hidden at once, in the same transaction
    unbind = Job.objects.get(name="privacy.number_unbind")
    assert unbind.run_after - before < timedelta(seconds=60)
    (job,) = run_privacy_jobs()
    assert job.state == JobState.DONE
    assert provider.calls("DELETE") == [("DELETE", f"/bindings/{binding.provider_ref}", None)]
    assert provider.bindings == {}
    binding.refresh_from_db()
    assert binding.state == BindingState.RELEASED


def test_reassignment_releases_the_old_number_and_binds_a_new_one_for_the_new_technician(
    client, provider, ticket, dispatcher, technician, other_technician
):
    ticket = assign(ticket, dispatcher, technician)
    run_privacy_jobs()
    ticket = ticket_transition(ticket=ticket, action="unassign", actor=dispatcher, note="改派")
    ticket = assign(ticket, dispatcher, other_technician)

    run_privacy_jobs()

    first, second = PrivacyNumberBinding.objects.order_by("id")
    assert (first.technician_id, first.state) == (technician.pk, BindingState.RELEASED)
    assert (second.technician_id, second.state) == (other_technician.pk, BindingState.BOUND)
    assert [m for m, *_ in provider.requests] == ["POST", "DELETE", "POST"]
    assert [body["b"] for _m, _p, body in provider.calls("POST")] == [
        technician.phone,
        other_technician.phone,
    ]
    assert provider.bindings[second.provider_ref]["b"] == other_technician.phone
    assert list(provider.bindings) == [second.provider_ref]
    assert api_contact(client, other_technician, ticket)["number"] == second.virtual_number
    for body in technician_views(client, other_technician, ticket):
        assert PHONE not in body


def test_reopening_releases_and_a_new_assignment_binds_again(
    provider, ticket, dispatcher, technician
):
    ticket = assign(ticket, dispatcher, technician)
    run_privacy_jobs()
    ticket = ticket_transition(ticket=in_progress(ticket), action="complete", actor=technician.user)
    ticket = ticket_transition(ticket=ticket, action="reopen", actor=dispatcher, note="又坏了")
    ticket = assign(ticket, dispatcher, technician)
    run_privacy_jobs()

    states = list(PrivacyNumberBinding.objects.order_by("id").values_list("state", flat=True))
    assert states == [BindingState.RELEASED, BindingState.BOUND]
    assert len(provider.bindings) == 1


def test_an_unbind_the_provider_refuses_is_retried_and_the_number_stays_hidden(
    client, provider, ticket, dispatcher, technician
):
    ticket = assign(ticket, dispatcher, technician)
    run_privacy_jobs()
    provider.mode = "error"
    ticket = ticket_transition(ticket=ticket, action="unassign", actor=dispatcher, note="改派")

    (job,) = run_privacy_jobs()

    assert job.state == JobState.QUEUED and job.run_after - timezone.now() < timedelta(seconds=6)
    assert PrivacyNumberBinding.objects.get().state == BindingState.RELEASING
    provider.mode = "ok"
    (job,) = run_privacy_jobs(due_only=False)
    assert job.state == JobState.DONE and provider.bindings == {}


class ReleasedMidCall(HttpPrivacyNumbers):
    """The real adapter; while the provider answers, another process unassigns the job."""

    def bind(self, **kwargs):
        bound = super().bind(**kwargs)
        ticket = Ticket.objects.get()
        ticket_transition(ticket=ticket, action="unassign", actor=None, note="改派")
        return bound


def test_a_release_while_the_bind_is_in_flight_gives_the_number_back(
    settings, provider, ticket, dispatcher, technician
):
    assign(ticket, dispatcher, technician)
    settings.PRIVACY_NUMBER_BACKEND = f"{__name__}.ReleasedMidCall"

    (bind_job,) = run_privacy_jobs()
    settings.PRIVACY_NUMBER_BACKEND = "baoxiu.privacy.numbers.http.HttpPrivacyNumbers"
    unbind_jobs = run_privacy_jobs()

    assert bind_job.state == JobState.DONE
    assert [j.state for j in unbind_jobs] == [JobState.DONE, JobState.DONE]
    binding = PrivacyNumberBinding.objects.get()
    assert binding.state == BindingState.RELEASED and binding.provider_ref == "b1"
    assert provider.bindings == {}
    assert [m for m, *_ in provider.requests] == ["POST", "DELETE"]


def test_an_expired_binding_is_not_shown(client, ticket, dispatcher, technician):
    ticket = assign(ticket, dispatcher, technician)
    run_privacy_jobs()  # the fake in-process provider of the demo
    binding = PrivacyNumberBinding.objects.get()
    assert binding.state == BindingState.BOUND and FakePrivacyNumbers.bindings
    assert api_contact(client, technician, ticket)["available"] is True

    assert bindings_expire(now=binding.expires_at + timedelta(seconds=1)) == 1

    assert api_contact(client, technician, ticket)["available"] is False


def test_other_roles_get_no_contact_number_field(client, ticket, dispatcher, technician):
    assign(ticket, dispatcher, technician)
    run_privacy_jobs()
    client.force_login(dispatcher)
    assert client.get(f"/api/v1/staff/tickets/{ticket.code}").json()["contact_number"] is None


def test_a_bind_the_queue_gave_up_on_is_started_over_by_the_sweep(
    client, provider, ticket, dispatcher, technician
):
    provider.mode = "error"
    ticket = assign(ticket, dispatcher, technician)
    for _attempt in range(BIND_ATTEMPTS):
        run_privacy_jobs(due_only=False)
    (job,) = Job.objects.filter(name="privacy.number_bind")
    assert (job.state, job.attempts) == (JobState.FAILED, BIND_ATTEMPTS)
    later = timezone.now() + timedelta(minutes=6)
    # Too early, or a job still waiting: nothing new.
    assert bindings_sweep() == 0
    provider.mode = "ok"

    assert bindings_sweep(now=later) == 1
    assert bindings_sweep(now=later) == 0  # the new job is waiting

    run_privacy_jobs()
    assert api_contact(client, technician, ticket)["number"] == "17100000001"


def test_a_technician_without_a_phone_on_record_gets_an_ax_binding(
    provider, ticket, dispatcher, technician
):
    technician.phone = ""
    technician.save(update_fields=["phone"])
    assign(ticket, dispatcher, technician)

    run_privacy_jobs()

    (post,) = provider.calls("POST")
    assert (post[2]["a"], post[2]["b"]) == (PHONE, "")
    assert PrivacyNumberBinding.objects.get().state == BindingState.BOUND


def test_the_technicians_phone_is_sealed_at_rest_and_normalised_when_edited(technician):
    from django.core.exceptions import ValidationError
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM workforce_technician WHERE id = %s", [technician.pk])
        (stored,) = cursor.fetchone()
    assert technician.phone not in stored and stored

    technician.phone = "+86 139-0000-1111"
    technician.full_clean()
    assert technician.phone == "13900001111"
    technician.phone = "12345"
    with pytest.raises(ValidationError) as caught:
        technician.full_clean()
    assert caught.value.message_dict == {"phone": ["请输入有效的11位中国大陆手机号码。"]}
