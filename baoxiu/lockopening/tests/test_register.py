"""The lock-opening gate: start_work waits for a complete register record."""

from datetime import timedelta

import pytest
from django.utils import timezone

from baoxiu.api.tests.helpers import post_json
from baoxiu.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from baoxiu.core.queue import registered_periodic
from baoxiu.evidence.files import private_storage
from baoxiu.lockopening.choices import WitnessKind, WitnessRule
from baoxiu.lockopening.models import LockOpeningPolicy, LockOpeningRecord
from baoxiu.lockopening.selectors import policy_for_ticket
from baoxiu.lockopening.services import lock_opening_record_save, lock_opening_records_purge
from baoxiu.tickets.choices import EventType, TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import PASSWORD, FaultTypeFactory, image_file, ticket_at

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"


@pytest.fixture
def lockout():
    return FaultTypeFactory(code="locked-out", name="无法开门", lock_opening=True)


@pytest.fixture
def policy():
    # make_ticket places its address in 深圳市南山区 (440305): the city policy applies.
    return LockOpeningPolicy.objects.create(
        division_prefix="4403",
        name="深圳市",
        requires_id_check=True,
        requires_residence_proof=True,
        witness_rule=WitnessRule.WITNESS,
        retention_days=90,
    )


def complete_record(ticket, technician, **overrides):
    values = {
        "id_consent": True,
        "id_number": ID,
        "id_checked": True,
        "residence_photo": image_file(),
        "witness_kind": WitnessKind.WITNESS,
        "witness_name": "物业张经理",
        "signature": image_file("PNG", name="signature.png"),
    }
    values.update(overrides)
    return lock_opening_record_save(ticket=ticket, actor=technician.user, **values)


def snapshot(ticket):
    row = Ticket.objects.values("status", "version").get(pk=ticket.pk)
    return row, ticket.events.count()


def test_policy_is_the_longest_matching_prefix(lockout, policy, technician):
    LockOpeningPolicy.objects.create(division_prefix="", name="全国", retention_days=365)
    LockOpeningPolicy.objects.create(division_prefix="44", name="广东省", retention_days=120)
    ticket = ticket_at(TicketStatus.ON_SITE, fault_type=lockout, technician=technician)
    assert ticket.address.area_code.startswith("4403")
    assert policy_for_ticket(ticket).name == "深圳市"
    policy.delete()
    assert policy_for_ticket(ticket).name == "广东省"


def test_no_record_refuses_start_work(lockout, policy, technician):
    ticket = ticket_at(TicketStatus.ON_SITE, fault_type=lockout, technician=technician)
    before = snapshot(ticket)
    with pytest.raises(ValidationFailed) as refused:
        ticket_transition(ticket=ticket, action="start_work", actor=technician.user)
    assert refused.value.code == "lock_opening_record_missing"
    assert snapshot(ticket) == before


@pytest.mark.parametrize(
    ("left_out", "code"),
    [
        ({"id_consent": None, "id_number": None}, "lock_opening_id_consent_missing"),
        ({"id_number": None}, "lock_opening_id_missing"),
        ({"id_checked": None}, "lock_opening_id_not_checked"),
        ({"residence_photo": None}, "lock_opening_residence_missing"),
        ({"witness_name": None}, "lock_opening_witness_missing"),
        ({"signature": None}, "lock_opening_signature_missing"),
    ],
)
def test_every_missing_element_refuses_start_work(lockout, policy, technician, left_out, code):
    ticket = ticket_at(TicketStatus.ON_SITE, fault_type=lockout, technician=technician)
    record = complete_record(ticket, technician, **left_out)
    assert record.completed_at is None
    before = snapshot(ticket)
    with pytest.raises(ValidationFailed) as refused:
        ticket_transition(ticket=ticket, action="start_work", actor=technician.user)
    assert refused.value.code == code
    assert snapshot(ticket) == before


def test_police_rule_needs_a_reference(lockout, technician):
    LockOpeningPolicy.objects.create(
        division_prefix="44",
        name="广东省",
        requires_id_check=False,
        requires_residence_proof=False,
        witness_rule=WitnessRule.POLICE,
        retention_days=30,
    )
    ticket = ticket_at(TicketStatus.ON_SITE, fault_type=lockout, technician=technician)
    lock_opening_record_save(ticket=ticket, actor=technician.user, witness_kind=WitnessKind.POLICE)
    with pytest.raises(ValidationFailed) as refused:
        ticket_transition(ticket=ticket, action="start_work", actor=technician.user)
    assert refused.value.code == "lock_opening_police_missing"
    # Minimisation: where the policy does not ask for an ID number, none is taken.
    with pytest.raises(ValidationFailed) as refused:
        lock_opening_record_save(
            ticket=ticket, actor=technician.user, id_consent=True, id_number=ID
        )
    assert refused.value.code == "id_number_not_required"
    lock_opening_record_save(ticket=ticket, actor=technician.user, police_reference="JJ-2026-0001")
    ticket = ticket_transition(ticket=ticket, action="start_work", actor=technician.user)
    assert ticket.status == TicketStatus.IN_PROGRESS


def test_complete_record_opens_the_gate_and_is_stored_encrypted_and_masked(
    lockout, policy, technician
):
    ticket = ticket_at(TicketStatus.ON_SITE, fault_type=lockout, technician=technician)
    record = complete_record(ticket, technician)
    assert record.completed_at is not None
    assert record.purge_after == record.completed_at + timedelta(days=90)
    assert record.id_number_masked == "1101**********002X"
    assert record.policy_name == "深圳市"
    raw = LockOpeningRecord.objects.filter(pk=record.pk).values_list("id_number", flat=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, witness_name FROM lockopening_lockopeningrecord")
        stored = cursor.fetchone()
    assert ID not in stored[0] and "物业" not in stored[1]
    assert list(raw) == [ID]  # the model opens it again
    assert ticket.events.filter(type=EventType.LOCK_REGISTERED).count() == 1
    ticket = ticket_transition(ticket=ticket, action="start_work", actor=technician.user)
    assert ticket.status == TicketStatus.IN_PROGRESS
    # After the door is open the register no longer changes.
    with pytest.raises(IllegalTransition) as refused:
        lock_opening_record_save(ticket=ticket, actor=technician.user, witness_name="别人")
    assert refused.value.code == "lock_opening_record_frozen"


def test_register_stays_frozen_when_the_ticket_goes_back_to_an_editable_status(
    lockout, policy, technician
):
    ticket = ticket_at(TicketStatus.ON_SITE, fault_type=lockout, technician=technician)
    complete_record(ticket, technician)
    ticket = ticket_transition(ticket=ticket, action="start_work", actor=technician.user)
    # Arrange: the job is back on site later (a reopened re-visit; status set directly).
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.ON_SITE)
    ticket.refresh_from_db()
    before = snapshot(ticket)

    with pytest.raises(IllegalTransition) as refused:
        lock_opening_record_save(ticket=ticket, actor=technician.user, witness_name="别人")

    assert refused.value.code == "lock_opening_record_frozen"
    assert snapshot(ticket) == before
    assert LockOpeningRecord.objects.get(ticket=ticket).witness_name != "别人"


def test_id_number_needs_separate_consent(lockout, policy, technician):
    ticket = ticket_at(TicketStatus.ON_SITE, fault_type=lockout, technician=technician)
    with pytest.raises(ValidationFailed) as refused:
        lock_opening_record_save(ticket=ticket, actor=technician.user, id_number=ID)
    assert refused.value.code == "id_consent_required"
    assert not LockOpeningRecord.objects.exists()


def test_bad_check_digit_writes_nothing(lockout, policy, technician):
    ticket = ticket_at(TicketStatus.ON_SITE, fault_type=lockout, technician=technician)
    with pytest.raises(ValidationFailed) as refused:
        lock_opening_record_save(
            ticket=ticket, actor=technician.user, id_consent=True, id_number="110105194912310021"
        )
    assert refused.value.code == "id_number_checksum"
    assert not LockOpeningRecord.objects.exists()


def test_id_number_on_other_tickets_is_refused(fault_type, technician):
    ticket = ticket_at(TicketStatus.ON_SITE, fault_type=fault_type, technician=technician)
    with pytest.raises(ValidationFailed) as refused:
        lock_opening_record_save(
            ticket=ticket, actor=technician.user, id_consent=True, id_number=ID
        )
    assert refused.value.code == "id_number_not_allowed"
    assert not LockOpeningRecord.objects.exists()


def test_id_number_on_other_tickets_is_refused_by_the_api(client, fault_type, technician):
    ticket = ticket_at(TicketStatus.ON_SITE, fault_type=fault_type, technician=technician)
    client.login(username=technician.user.username, password=PASSWORD)
    response = client.put(
        f"/api/v1/staff/tickets/{ticket.code}/lock-opening",
        data={"id_consent": True, "id_number": ID},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "id_number_not_allowed"
    assert not LockOpeningRecord.objects.exists()


def test_id_number_on_other_tickets_is_refused_by_the_form(client, fault_type, technician):
    ticket = ticket_at(TicketStatus.ON_SITE, fault_type=fault_type, technician=technician)
    client.login(username=technician.user.username, password=PASSWORD)
    response = client.post(
        f"/console/jobs/{ticket.code}/lock-opening/", {"id_consent": "on", "id_number": ID}
    )
    assert response.status_code == 400
    assert "非开锁工单不得采集身份证号。" in response.content.decode()
    assert not LockOpeningRecord.objects.exists()


def test_form_fills_the_register_and_shows_the_number_masked(client, lockout, policy, technician):
    ticket = ticket_at(TicketStatus.ON_SITE, fault_type=lockout, technician=technician)
    client.login(username=technician.user.username, password=PASSWORD)
    import base64

    signature = image_file("PNG", name="s.png").read()
    response = client.post(
        f"/console/jobs/{ticket.code}/lock-opening/",
        {
            "id_consent": "on",
            "id_number": ID,
            "id_checked": "on",
            "residence_photo": image_file(),
            "witness_kind": "witness",
            "witness_name": "邻居李阿姨",
            "signature": "data:image/png;base64," + base64.b64encode(signature).decode(),
        },
    )
    assert response.status_code == 302
    page = client.get(f"/console/jobs/{ticket.code}/lock-opening/").content.decode()
    assert "1101**********002X" in page and ID not in page
    assert "登记已完成" in page
    printed = client.get(f"/console/tickets/{ticket.code}/lock-opening/print/")
    assert printed.status_code == 200
    assert "1101**********002X" in printed.content.decode() and ID not in printed.content.decode()
    assert "邻****" in printed.content.decode() and "邻居李阿姨" not in printed.content.decode()
    image = client.get(f"/console/tickets/{ticket.code}/lock-opening/signature.jpg")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"


def test_api_fills_the_register(client, lockout, policy, technician):
    ticket = ticket_at(TicketStatus.ON_SITE, fault_type=lockout, technician=technician)
    client.login(username=technician.user.username, password=PASSWORD)
    response = client.put(
        f"/api/v1/staff/tickets/{ticket.code}/lock-opening",
        data={"id_consent": True, "id_number": ID, "id_checked": True},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["id_number_masked"] == "1101**********002X"
    assert body["missing"] == ["lock_opening_residence_missing", "lock_opening_witness_missing"]
    assert ID not in response.content.decode()
    response = client.post(
        f"/api/v1/staff/tickets/{ticket.code}/lock-opening/residence-proof",
        {"photo": image_file()},
    )
    assert response.status_code == 200
    assert response.json()["missing"] == ["lock_opening_witness_missing"]
    response = post_json(
        client,
        f"/api/v1/staff/tickets/{ticket.code}/transitions",
        {"action": "start_work"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "lock_opening_witness_missing"


def test_other_technician_cannot_fill_the_register(lockout, policy, technician, other_technician):
    ticket = ticket_at(TicketStatus.ON_SITE, fault_type=lockout, technician=technician)
    with pytest.raises(PermissionDenied):
        complete_record(ticket, other_technician)
    assert not LockOpeningRecord.objects.exists()


def test_records_are_purged_after_the_retention_period(lockout, policy, technician):
    ticket = ticket_at(TicketStatus.ON_SITE, fault_type=lockout, technician=technician)
    record = complete_record(ticket, technician)
    files = [record.residence_proof_file, record.witness_signature_file]
    assert all(private_storage.exists(name) for name in files)
    day_before = record.purge_after - timedelta(seconds=1)
    assert lock_opening_records_purge(now=day_before) == 0
    assert LockOpeningRecord.objects.filter(pk=record.pk).exists()
    assert lock_opening_records_purge(now=record.purge_after) == 1
    assert not LockOpeningRecord.objects.filter(pk=record.pk).exists()
    assert not any(private_storage.exists(name) for name in files)


def test_purge_runs_periodically():
    assert registered_periodic()["lockopening.purge"] == timedelta(hours=1)


def test_purge_job_handler(lockout, policy, technician):
    from baoxiu.core.queue import registered_jobs

    ticket = ticket_at(TicketStatus.ON_SITE, fault_type=lockout, technician=technician)
    record = complete_record(ticket, technician)
    LockOpeningRecord.objects.filter(pk=record.pk).update(
        purge_after=timezone.now() - timedelta(minutes=1)
    )
    registered_jobs()["lockopening.purge"]({"slot": 0})
    assert not LockOpeningRecord.objects.exists()
