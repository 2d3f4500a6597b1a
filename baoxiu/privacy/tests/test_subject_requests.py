"""Data-subject requests: export everything about a customer, erase it, keep
only what a law says to keep — and afterwards find nothing of them anywhere."""

import json
import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, models, transaction
from django.urls import reverse
from django.utils import timezone

from baoxiu.core.crypto import blind_index
from baoxiu.core.errors import PermissionDenied, ValidationFailed
from baoxiu.core.queue import work
from baoxiu.customers.models import Customer
from baoxiu.evidence.files import private_storage
from baoxiu.evidence.models import JobPhoto
from baoxiu.evidence.services import completion_confirm_by_customer, part_record, photo_add
from baoxiu.feedback.models import Complaint
from baoxiu.feedback.services import complaint_create, rating_create
from baoxiu.lockopening.choices import WitnessKind, WitnessRule
from baoxiu.lockopening.models import LockOpeningPolicy, LockOpeningRecord
from baoxiu.lockopening.services import lock_opening_record_save
from baoxiu.notifications.models import Notification
from baoxiu.privacy.models import AuditEntry, PrivacyNumberBinding, StorageOnlyRecord
from baoxiu.privacy.retention import (
    VisibleManager,
    retain,
    retention_purge,
    unretain,
    visible,
)
from baoxiu.privacy.services import ticket_contact_reveal
from baoxiu.privacy.subjects import subject_erase, subject_export
from baoxiu.quotes.models import Payment, TicketLock
from baoxiu.quotes.services import PaymentRequest, payment_record
from baoxiu.support.services import call_event_record, conversation_start
from baoxiu.support.telephony.base import CallEventData
from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import (
    FaultTypeFactory,
    LockModelFactory,
    UserFactory,
    approve_quote,
    image_file,
    make_ticket,
)

pytestmark = pytest.mark.django_db

NAME, PHONE = "欧阳明珠", "13912345678"
ADDRESS = "深圳市南山区科技园路1号3栋1201"
ID_NUMBER = "110101199003071234"
SECRET_NOTE = "钥匙藏在门口地垫下面"
CANCEL_NOTE = "欧阳女士来电说不修了"
OTHER_NAME, OTHER_PHONE, OTHER_ADDRESS = "司马光明", "13700001111", "广州市天河区体育西路8号"
# What the person said or what was written about them in the apps beside the ticket.
CHAT_TEXT = f"师傅到了请打我电话{PHONE}，欧阳"
COMPLAINT_TEXT = "师傅把欧阳家的门框刮花了"
COMPLAINT_REPLY = "已向欧阳女士致歉并补漆"
RATING_COMMENT = "欧阳一家很满意"
FREE_LINE_NAME, FREE_LINE_REASON = "欧阳家门框补漆", "欧阳女士要求补漆"
REVISION_REASON = "欧阳女士同意加补漆"
PHOTO_CAPTION = "欧阳家门锁拆开"
PART_SERIAL = "SN-OUYANG-0001"
LOCK_SERIAL = "LK-OUYANG-7788"
RECORDING_REF = "rec-ouyang-20260101"
# The lock-opening register: kept by law, storage-only after erasure.
REGISTER_ID, WITNESS_NAME, POLICE_REF = "11010519491231002X", "物业欧阳经理", "JJ-OUYANG-01"


@pytest.fixture
def operations(db):
    return UserFactory(username="ops", role="operations")


def deliver_notifications():
    work(burst=True, schedule_periodic=False)


@pytest.fixture
def history(client, fault_type, dispatcher, technician, agent, settings, caplog):
    """A customer with two tickets, a timeline, messages, a privacy number, audit rows
    and rate-limit counters; and another customer who must stay untouched."""
    caplog.set_level(logging.DEBUG)
    settings.DISPATCH_MODE = "suggest"  # nobody is assigned behind the test's back
    first = make_ticket(fault_type=fault_type, name=NAME, phone=PHONE, address=ADDRESS)
    Customer.objects.filter(pk=first.customer_id).update(id_number=ID_NUMBER)
    first = ticket_transition(
        ticket=first, action="assign", actor=dispatcher, technician=technician
    )
    deliver_notifications()  # and the privacy number is bound
    ticket_contact_reveal(user=agent, ticket=first, reason="回拨确认上门时间")
    Ticket.objects.filter(pk=first.pk).update(status=TicketStatus.IN_PROGRESS)
    first.refresh_from_db()
    approve_quote(first)  # work happens on an approved quote
    _apps_history(first, technician, agent)
    completion_confirm_by_customer(ticket=first)
    first.refresh_from_db()
    first = ticket_transition(ticket=first, action="complete", actor=technician.user)
    first = ticket_transition(ticket=first, action="close", actor=agent)
    Complaint.objects.filter(ticket=first).update(reply=COMPLAINT_REPLY)
    rating_create(ticket=first, stars=5, comment=RATING_COMMENT)
    response = client.post(
        "/api/v1/tickets",
        data=json.dumps(
            {
                "name": NAME,
                "phone": PHONE,
                "address": ADDRESS,
                "fault_type": fault_type.code,
                "description": SECRET_NOTE,
                "area_name": "深圳市南山区",
                "consent": True,
            }
        ),
        content_type="application/json",
        headers={"Idempotency-Key": "subject-test-1"},
    )
    assert response.status_code == 201, response.content
    second = Ticket.objects.get(code=response.json()["code"])
    second = ticket_transition(ticket=second, action="cancel", actor=agent, note=CANCEL_NOTE)
    lock_ticket = _lock_opening_history(technician, agent)
    other = make_ticket(
        fault_type=fault_type, name=OTHER_NAME, phone=OTHER_PHONE, address=OTHER_ADDRESS
    )
    deliver_notifications()
    customer = Customer.objects.get(pk=first.customer_id)
    return {
        "customer": customer,
        "tickets": [first, second],
        "lock_ticket": lock_ticket,
        "other": other,
        "needles": [
            NAME,
            PHONE,
            ADDRESS,
            ID_NUMBER,
            SECRET_NOTE,
            CANCEL_NOTE,
            first.tracking_token,
            second.tracking_token,
            customer.phone_index,
            blind_index(PHONE, purpose="ratelimit.intake.phone"),
            CHAT_TEXT,
            first.conversations.get().token,
            COMPLAINT_TEXT,
            COMPLAINT_REPLY,
            RATING_COMMENT,
            FREE_LINE_NAME,
            FREE_LINE_REASON,
            REVISION_REASON,
            PHOTO_CAPTION,
            PART_SERIAL,
            RECORDING_REF,
            lock_ticket.tracking_token,
            *[p.receipt_token for p in Payment.objects.filter(ticket=first)],
        ],
        "photo_files": list(
            JobPhoto.objects.filter(ticket=first).values_list("file_name", flat=True)
        ),
    }


def _apps_history(ticket, technician, agent):
    """On the job: a chat, a call, a serial, a revised quote with a free-text line,
    a photo, a part, the bill paid, a complaint."""
    from baoxiu.catalog.models import LockModel
    from baoxiu.pricing.calculator import LineRequest
    from baoxiu.pricing.models import LockSerial
    from baoxiu.quotes.choices import DecisionChannel
    from baoxiu.quotes.services import quote_decide, quote_submit, ticket_serial_link

    conversation_start(body=CHAT_TEXT, client_ip="10.9.8.7", ticket=ticket)
    now = timezone.now()
    for event in ("ringing", "answered", "ended"):
        call_event_record(
            event=CallEventData(
                call_id="call-ouyang-1",
                event=event,
                caller=PHONE,
                called="4008001234",
                agent=agent.username,
                recording_ref=RECORDING_REF,
                occurred_at=now,
            )
        )
    LockSerial.objects.create(
        serial=LOCK_SERIAL, lock_model=LockModel.objects.first() or LockModelFactory()
    )
    ticket_serial_link(ticket=ticket, serial=LOCK_SERIAL, actor=technician.user)
    quote = quote_submit(
        ticket=ticket,
        actor=technician.user,
        requests=[
            LineRequest(kind="labour", key=ticket.fault_type.code),
            LineRequest(
                kind="free",
                name=FREE_LINE_NAME,
                reason=FREE_LINE_REASON,
                unit_price=Decimal("30.00"),
            ),
        ],
        reason=REVISION_REASON,
    )
    quote_decide(quote=quote, approve=True, via=DecisionChannel.LINK)
    photo_add(
        ticket=ticket,
        actor=technician.user,
        kind="before",
        upload=image_file(),
        caption=PHOTO_CAPTION,
    )
    part_record(
        ticket=ticket,
        actor=technician.user,
        name="锁体",
        code="LB-01",
        new_serial=PART_SERIAL,
        old_serial=PART_SERIAL + "-OLD",
        old_part="customer",
    )
    payment_record(
        ticket=ticket,
        request=PaymentRequest(method="cash", amount=quote.customer_total),
        actor=technician.user,
    )
    complaint_create(ticket=ticket, kind="complaint", text=COMPLAINT_TEXT)


def _lock_opening_history(technician, agent):
    """A lock-opening job of the same person: its register holds an ID number."""
    lockout = FaultTypeFactory(code="subject-lockout", name="无法开门", lock_opening=True)
    LockOpeningPolicy.objects.create(
        division_prefix="4403", name="深圳市", witness_rule=WitnessRule.EITHER, retention_days=90
    )
    ticket = make_ticket(fault_type=lockout, name=NAME, phone=PHONE, address=ADDRESS)
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.ON_SITE, technician=technician)
    ticket.refresh_from_db()
    lock_opening_record_save(
        ticket=ticket,
        actor=technician.user,
        id_consent=True,
        id_number=REGISTER_ID,
        id_checked=True,
        residence_photo=image_file(),
        witness_kind=WitnessKind.POLICE,
        police_reference=POLICE_REF,
        witness_name=WITNESS_NAME,
    )
    # (The rest of the job is not what this test is about.)
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.CLOSED, closed_at=timezone.now())
    ticket.refresh_from_db()
    return ticket


def _text(value) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return "" if value is None else str(value)


def find_everywhere(needles) -> list[str]:
    """Every (table, column) in which any needle appears; encrypted columns are read
    decrypted (the ORM opens them), JSON columns as their text."""
    hits = []
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        for row in model._base_manager.all().iterator():
            for field in fields:
                text = _text(field.value_from_object(row))
                for needle in needles:
                    if needle and needle in text:
                        hits.append(f"{model._meta.db_table}.{field.column}: {needle}")
    return hits


def test_erasure_leaves_nothing_of_the_person_in_any_table_outbox_or_log(
    history, operations, caplog, client, django_capture_on_commit_callbacks
):
    customer = history["customer"]
    # Given: the search finds the person before, and notifications were sent to them.
    assert set(find_everywhere([NAME, PHONE, ADDRESS, ID_NUMBER, SECRET_NOTE])) >= {
        "customers_customer.name: " + NAME,
        "customers_customer.phone: " + PHONE,
        "customers_address.text: " + ADDRESS,
        "tickets_ticket.description: " + SECRET_NOTE,
    }
    sent = Notification.objects.filter(ticket__customer=customer)
    assert sent.count() >= 4 and not sent.exclude(state="sent").exists()
    assert PrivacyNumberBinding.objects.filter(ticket__customer=customer).count() == 1

    register = LockOpeningRecord.objects.get(ticket=history["lock_ticket"])
    photo_files = history["photo_files"]
    assert len(photo_files) == 1 and private_storage.exists(photo_files[0])

    with django_capture_on_commit_callbacks(execute=True):
        erasure = subject_erase(customer=customer, actor=operations, reason="客户来电要求删除")

    assert erasure.tickets == 3
    assert [(k["model"], k["count"], k["keep_until"]) for k in erasure.kept] == [
        ("lockopening.LockOpeningRecord", 1, register.purge_after)
    ]
    assert find_everywhere(history["needles"]) == []
    # Only the register a law keeps still holds the person, and only storage-only.
    assert sorted(find_everywhere([NAME, PHONE, REGISTER_ID, WITNESS_NAME, POLICE_REF])) == [
        "lockopening_lockopeningrecord.id_number: " + REGISTER_ID,
        "lockopening_lockopeningrecord.police_reference: " + POLICE_REF,
        "lockopening_lockopeningrecord.witness_name: " + WITNESS_NAME,
    ]
    assert not LockOpeningRecord.objects.exists()  # no page sees it
    # The lock's serial stays in the brand's sales register, linked to no ticket any more.
    assert find_everywhere([LOCK_SERIAL]) == ["pricing_lockserial.serial: " + LOCK_SERIAL]
    assert not TicketLock.objects.filter(serial__serial=LOCK_SERIAL).exists()
    assert LockOpeningRecord._base_manager.filter(pk=register.pk).exists()
    assert not private_storage.exists(photo_files[0])
    assert not Notification.objects.filter(ticket__customer=customer).exists()
    # Logs of the whole story, from the first report to the erasure.
    logs = "\n".join(
        f"{r.name} {r.getMessage()}" for when in ("setup", "call") for r in caplog.get_records(when)
    )
    assert "fake sms" in logs
    assert [needle for needle in history["needles"] if needle in logs] == []
    # The other customer is untouched, and the search does see decrypted values.
    assert sorted(find_everywhere([OTHER_NAME, OTHER_PHONE, OTHER_ADDRESS])) == [
        "customers_address.text: " + OTHER_ADDRESS,
        "customers_customer.name: " + OTHER_NAME,
        "customers_customer.phone: " + OTHER_PHONE,
    ]
    # The rows stay, emptied, so history and figures still add up.
    assert Ticket.objects.filter(customer=customer).count() == 3
    erase_row = AuditEntry.objects.get(action="erase")
    assert (erase_row.actor, erase_row.object_id, erase_row.reason) == (
        operations,
        str(customer.pk),
        "客户来电要求删除",
    )
    # The old tracking links no longer open anything.
    for ticket in [*history["tickets"], history["lock_ticket"]]:
        assert Ticket.objects.get(pk=ticket.pk).tracking_token != ticket.tracking_token
        response = client.get(f"/t/{ticket.code}/{ticket.tracking_token}/")
        assert response.status_code == 404
    # The register is purged, with its images, when its policy's period ends.
    files = [register.residence_proof_file]
    assert private_storage.exists(files[0])
    with django_capture_on_commit_callbacks(execute=True):
        purged = retention_purge(now=register.purge_after - timedelta(seconds=1))
    assert purged["storage_only"] == 0 and LockOpeningRecord._base_manager.exists()
    with django_capture_on_commit_callbacks(execute=True):
        purged = retention_purge(now=register.purge_after)
    assert purged["storage_only"] == 1
    assert not LockOpeningRecord._base_manager.exists() and not private_storage.exists(files[0])
    assert find_everywhere([REGISTER_ID, WITNESS_NAME, POLICE_REF]) == []


def test_export_holds_everything_about_the_person_and_is_audited(client, history, operations):
    customer = history["customer"]
    client.force_login(operations)

    response = client.post(
        reverse("privacy:subject_export", args=[customer.pk]), {"reason": "客户申请查阅复制"}
    )

    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == f'attachment; filename="subject-{customer.pk}.json"'
    data = json.loads(response.content)
    assert data["format"] == "baoxiu-subject-export/1"
    assert data["customer"]["name"] == NAME and data["customer"]["phone"] == PHONE
    assert data["customer"]["id_number"] == ID_NUMBER
    assert [a["text"] for a in data["addresses"]] == [ADDRESS, ADDRESS, ADDRESS]
    first, second, _lock_job = data["tickets"]
    assert _lock_job["code"] == history["lock_ticket"].code
    assert first["code"] == history["tickets"][0].code
    assert [e["to_status"] for e in first["events"] if e["to_status"]] == [
        "new",
        "assigned",
        "completed",
        "closed",
    ]
    assert second["description"] == SECRET_NOTE
    assert CANCEL_NOTE in [e["note"] for e in second["events"]]
    assert len(first["messages"]) >= 2 and all(m["text"] for m in first["messages"])
    assert first["privacy_numbers"][0]["virtual_number"].startswith("1700000")
    assert {(r["action"], r["field"]) for r in data["access_log"]} == {
        ("查看完整信息", "name"),
        ("查看完整信息", "phone"),
        ("查看完整信息", "address"),
    }
    assert OTHER_NAME not in response.content.decode()
    # The apps beside the ticket hold their share.
    assert [m["text"] for c in data["support"]["conversations"] for m in c["messages"]] == [
        CHAT_TEXT
    ]
    (call,) = data["support"]["calls"]
    assert (call["caller"], call["recording_ref"]) == (PHONE, RECORDING_REF)
    (complaint,) = data["feedback"]["complaints"]
    assert (complaint["text"], complaint["reply"]) == (COMPLAINT_TEXT, COMPLAINT_REPLY)
    assert [r["comment"] for r in data["feedback"]["ratings"]] == [RATING_COMMENT]
    revision = data["quotes"]["quotes"][-1]
    assert revision["reason"] == REVISION_REASON
    assert [(x["name"], x["reason"]) for x in revision["lines"] if x["not_on_price_list"]] == [
        (FREE_LINE_NAME, FREE_LINE_REASON)
    ]
    assert [p["amount"] for p in data["quotes"]["payments"]] == [revision["customer_total"]]
    assert data["quotes"]["locks"] == [{"ticket_code": first["code"], "serial": LOCK_SERIAL}]
    assert [p["caption"] for p in data["evidence"]["photos"]] == [PHOTO_CAPTION]
    assert [(p["new_serial"], p["old_serial"]) for p in data["evidence"]["parts"]] == [
        (PART_SERIAL, PART_SERIAL + "-OLD")
    ]
    (register,) = data["lock_opening_register"]
    assert (register["id_number"], register["witness_name"], register["police_reference"]) == (
        REGISTER_ID,
        WITNESS_NAME,
        POLICE_REF,
    )
    row = AuditEntry.objects.get(action="export")
    assert (row.actor, row.object_id, row.reason) == (
        operations,
        str(customer.pk),
        "客户申请查阅复制",
    )


def test_only_operations_and_admin_may_handle_requests(client, history, agent, technician):
    customer = history["customer"]
    before = AuditEntry.objects.count()
    for user in (agent, technician.user):
        client.force_login(user)
        assert client.get(reverse("privacy:subjects")).status_code == 403
        url = reverse("privacy:subject_export", args=[customer.pk])
        assert client.post(url, {"reason": "想看看"}).status_code == 403
        url = reverse("privacy:subject_erase", args=[customer.pk])
        assert client.post(url, {"reason": "想删掉", "confirm": "yes"}).status_code == 403
        with pytest.raises(PermissionDenied):
            subject_export(customer=customer, actor=user, reason="想看看")
    customer.refresh_from_db()
    assert customer.name == NAME and AuditEntry.objects.count() == before


def test_no_reason_no_confirmation_or_open_tickets_refuse_and_change_nothing(
    client, history, operations, fault_type
):
    customer = history["customer"]
    client.force_login(operations)
    before = AuditEntry.objects.count()
    url = reverse("privacy:subject_erase", args=[customer.pk])

    page = client.post(url, {"reason": "客户要求", "confirm": ""}, follow=True)
    assert "请勾选确认后再删除。" in page.content.decode()
    page = client.post(url, {"reason": " ", "confirm": "yes"}, follow=True)
    assert "请填写处理原因（4到200个字）。" in page.content.decode()
    open_ticket = make_ticket(fault_type=fault_type, name=NAME, phone=PHONE, address=ADDRESS)
    page = client.post(url, {"reason": "客户要求删除", "confirm": "yes"}, follow=True)
    assert f"客户还有未结束的工单（{open_ticket.code}）" in page.content.decode()
    with pytest.raises(ValidationFailed) as refused:
        subject_erase(customer=customer, actor=operations, reason="客户要求删除")
    assert refused.value.code == "open_tickets"

    customer.refresh_from_db()
    assert (customer.name, customer.phone) == (NAME, PHONE)
    assert AuditEntry.objects.count() == before
    assert Ticket.objects.get(pk=history["tickets"][1].pk).description == SECRET_NOTE


def test_console_finds_by_phone_with_a_post_and_erases(client, history, operations):
    client.force_login(operations)
    blank = client.get(reverse("privacy:subjects"))
    assert blank.status_code == 200 and blank["Cache-Control"] == "no-store"
    assert 'method="post"' in blank.content.decode()
    page = client.post(reverse("privacy:subjects"), {"phone": PHONE}).content.decode()
    assert "欧**" in page and "139****5678" in page and PHONE not in page
    customer = history["customer"]

    page = client.post(
        reverse("privacy:subject_erase", args=[customer.pk]),
        {"reason": "客户要求删除", "confirm": "yes"},
        follow=True,
    ).content.decode()

    assert f"客户#{customer.pk} 的个人信息已删除（涉及工单 3 张；依法保留 1 条记录）。" in page
    page = client.post(reverse("privacy:subjects"), {"phone": PHONE}).content.decode()
    assert "没有找到这位客户。" in page
    # Erased customers cannot be exported or erased again.
    url = reverse("privacy:subject_export", args=[customer.pk])
    assert client.post(url, {"reason": "再导出一次"}).status_code == 404


@pytest.fixture
def notifications_retained():
    """Pretend a law keeps the messages sent to a customer for 90 days."""
    rule = retain(
        "notifications.Notification",
        period=timedelta(days=90),
        since="created_at",
        subject="ticket__customer",
        reason="测试：短信记录保存90天",
    )
    yield rule
    unretain("notifications.Notification")


def test_retained_records_become_storage_only_and_are_purged_after_their_period(
    history, operations, notifications_retained
):
    customer = history["customer"]
    ids = set(Notification.objects.filter(ticket__customer=customer).values_list("pk", flat=True))
    Notification.objects.filter(pk=min(ids)).update(
        created_at=timezone.now() - timedelta(days=91)
    )  # already past its period: goes with the rest

    erasure = subject_erase(customer=customer, actor=operations, reason="客户要求删除")

    kept_ids = ids - {min(ids)}
    assert [(k["model"], k["count"]) for k in erasure.kept] == [
        ("lockopening.LockOpeningRecord", 1),
        ("notifications.Notification", len(kept_ids)),
    ]
    assert set(Notification.objects.filter(pk__in=ids).values_list("pk", flat=True)) == kept_ids
    assert not visible(Notification.objects.filter(pk__in=ids)).exists()
    manager = VisibleManager()  # what a retained model declares as ``objects``
    manager.model = Notification
    assert not manager.filter(pk__in=ids).exists()
    assert manager.filter(ticket=history["other"]).count() == 1  # other rows pass
    records = StorageOnlyRecord.objects.filter(model="notifications.Notification")
    assert {int(r.object_pk) for r in records} == kept_ids

    assert retention_purge(now=timezone.now() + timedelta(days=89))["storage_only"] == 0
    assert Notification.objects.filter(pk__in=ids).count() == len(kept_ids)
    # (with the lock-opening register, whose policy keeps it 90 days)
    purged = retention_purge(now=timezone.now() + timedelta(days=91))
    assert purged["storage_only"] == len(kept_ids) + 1
    assert not Notification.objects.filter(pk__in=ids).exists()
    assert not StorageOnlyRecord.objects.exists()


def audit_row_aged(days: int, actor) -> AuditEntry:
    return AuditEntry.objects.create(
        at=timezone.now() - timedelta(days=days),
        actor=actor,
        action="reveal",
        object_type="customer",
        object_id="999",
        reason=f"{days}天前",
    )


def test_retention_purge_removes_old_audit_rows_expired_tokens_and_counters(history, agent):
    now = timezone.now()
    recent = set(AuditEntry.objects.values_list("pk", flat=True))
    kept = audit_row_aged(364, agent)
    audit_row_aged(366, agent)

    # Today: only the audit row past the configured 365 days goes.
    counts = retention_purge(now=now)
    assert counts["audit"] == 1 and counts["tracking_tokens"] == 0
    assert set(AuditEntry.objects.values_list("pk", flat=True)) == recent | {kept.pk}

    # 31 days on, both tickets ended more than 30 days before: their tracking
    # tokens go, and so do the two-day-old rate-limit counters.
    counts = retention_purge(now=now + timedelta(days=31))
    assert counts["tracking_tokens"] == 3  # with the lock-opening job's
    # the report's per-address and per-number hits, the chat's and the complaint's
    assert counts["rate_limits"] == 4
    for ticket in history["tickets"]:
        stored = Ticket.objects.get(pk=ticket.pk)
        assert stored.tracking_token != ticket.tracking_token
        assert stored.tracking_retired_at == now + timedelta(days=31)
    assert retention_purge(now=now + timedelta(days=32))["tracking_tokens"] == 0  # done once


def test_audit_retention_never_drops_below_180_days(history, agent, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    young = audit_row_aged(179, agent)
    audit_row_aged(181, agent)
    before = AuditEntry.objects.count()

    assert retention_purge()["audit"] == 1

    assert AuditEntry.objects.count() == before - 1
    assert AuditEntry.objects.filter(pk=young.pk).exists()


def test_command_exports_to_a_private_file_and_erases(history, operations, tmp_path, capsys):
    target = tmp_path / "export.json"
    call_command(
        "privacy",
        "export",
        "--phone",
        PHONE,
        "--actor",
        "ops",
        "--reason",
        "客户书面申请",
        "--output",
        str(target),
    )
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert json.loads(target.read_text())["customer"]["phone"] == PHONE

    with pytest.raises(CommandError, match="--yes"):
        call_command("privacy", "erase", "--phone", PHONE, "--actor", "ops", "--reason", "客户申请")
    with pytest.raises(CommandError, match="no active user"):
        call_command(
            "privacy",
            "erase",
            "--phone",
            PHONE,
            "--actor",
            "nobody",
            "--reason",
            "客户申请",
            "--yes",
        )
    code = history["tickets"][0].code
    call_command(
        "privacy", "erase", "--ticket", code, "--actor", "ops", "--reason", "客户申请", "--yes"
    )
    assert f"customer #{history['customer'].pk} erased (3 tickets)" in capsys.readouterr().out
    with pytest.raises(CommandError, match="没有找到这位客户。"):
        call_command("privacy", "export", "--phone", PHONE, "--actor", "ops", "--reason", "再来")
    assert list(
        AuditEntry.objects.filter(action__in=["export", "erase"])
        .values_list("action", flat=True)
        .order_by("id")
    ) == ["export", "erase"]


def test_on_postgresql_the_database_lets_only_rows_past_180_days_go(history, agent):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only (SQLite relies on the model guards)")
    young = AuditEntry.objects.first()
    old = AuditEntry.objects.create(
        at=timezone.now() - timedelta(days=181),
        actor=agent,
        action="reveal",
        object_type="customer",
        object_id="999",
        reason="很久以前",
    )
    for sql in (
        "UPDATE privacy_auditentry SET reason = 'x' WHERE id = %s",
        "DELETE FROM privacy_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [young.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE privacy_auditentry SET reason = 'x' WHERE id = %s", [old.pk])
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM privacy_auditentry WHERE id = %s", [old.pk])
        assert cursor.rowcount == 1
    assert AuditEntry.objects.filter(pk=young.pk).exists()
