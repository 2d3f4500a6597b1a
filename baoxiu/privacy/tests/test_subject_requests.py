"""Data-subject requests: export everything about a customer, erase it, keep
only what a law says to keep — and afterwards find nothing of them anywhere."""

import json
import logging
from datetime import timedelta

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
from baoxiu.evidence.services import completion_confirm_by_customer
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
from baoxiu.tickets.choices import TicketStatus
from baoxiu.tickets.models import Ticket
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import UserFactory, approve_quote, make_ticket

pytestmark = pytest.mark.django_db

NAME, PHONE = "欧阳明珠", "13912345678"
ADDRESS = "深圳市南山区科技园路1号3栋1201"
ID_NUMBER = "110101199003071234"
SECRET_NOTE = "钥匙藏在门口地垫下面"
CANCEL_NOTE = "欧阳女士来电说不修了"
OTHER_NAME, OTHER_PHONE, OTHER_ADDRESS = "司马光明", "13700001111", "广州市天河区体育西路8号"


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
    completion_confirm_by_customer(ticket=first)
    first.refresh_from_db()
    first = ticket_transition(ticket=first, action="complete", actor=technician.user)
    first = ticket_transition(ticket=first, action="close", actor=agent)
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
    other = make_ticket(
        fault_type=fault_type, name=OTHER_NAME, phone=OTHER_PHONE, address=OTHER_ADDRESS
    )
    deliver_notifications()
    customer = Customer.objects.get(pk=first.customer_id)
    return {
        "customer": customer,
        "tickets": [first, second],
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
        ],
    }


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
    history, operations, caplog, client
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

    erasure = subject_erase(customer=customer, actor=operations, reason="客户来电要求删除")

    assert erasure.tickets == 2 and erasure.kept == []
    assert find_everywhere(history["needles"]) == []
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
    assert Ticket.objects.filter(customer=customer).count() == 2
    erase_row = AuditEntry.objects.get(action="erase")
    assert (erase_row.actor, erase_row.object_id, erase_row.reason) == (
        operations,
        str(customer.pk),
        "客户来电要求删除",
    )
    # The old tracking links no longer open anything.
    for ticket in history["tickets"]:
        assert Ticket.objects.get(pk=ticket.pk).tracking_token != ticket.tracking_token
        response = client.get(f"/t/{ticket.code}/{ticket.tracking_token}/")
        assert response.status_code == 404


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
    assert [a["text"] for a in data["addresses"]] == [ADDRESS, ADDRESS]
    first, second = data["tickets"]
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

    assert f"客户#{customer.pk} 的个人信息已删除（涉及工单 2 张；依法保留 0 条记录）。" in page
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
        ("notifications.Notification", len(kept_ids))
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
    assert retention_purge(now=timezone.now() + timedelta(days=91))["storage_only"] == len(kept_ids)
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
    assert counts["tracking_tokens"] == 2
    assert counts["rate_limits"] == 2  # the report's per-address and per-number hits
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
    assert f"customer #{history['customer'].pk} erased (2 tickets)" in capsys.readouterr().out
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
