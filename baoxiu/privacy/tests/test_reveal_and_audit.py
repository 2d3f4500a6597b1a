"""Customer data is masked for every role; revealing it needs the role and a reason,
and leaves an audit row the application cannot change or remove."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from baoxiu.core.errors import PermissionDenied, ValidationFailed
from baoxiu.privacy.models import AppendOnlyError, AuditEntry
from baoxiu.privacy.services import ticket_contact_reveal
from baoxiu.tickets.transitions import ticket_transition
from tests.factories import PASSWORD, UserFactory, make_ticket

pytestmark = pytest.mark.django_db
NAME, PHONE, ADDRESS = "欧阳明珠", "13912345678", "深圳市南山区科技园路1号3栋1201"


@pytest.fixture
def ticket(fault_type):
    return make_ticket(fault_type=fault_type, name=NAME, phone=PHONE, address=ADDRESS)


def detail(client, ticket):
    return client.get(reverse("console:ticket_detail", args=[ticket.code])).content.decode()


def test_agent_reveals_with_a_reason_and_it_is_recorded(client, agent, ticket):
    client.login(username=agent.username, password=PASSWORD)
    page = detail(client, ticket)
    assert PHONE not in page and NAME not in page and "139****5678" in page

    response = client.post(
        reverse("console:ticket_reveal", args=[ticket.code]), {"reason": "回拨确认上门时间"}
    )

    body = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert PHONE in body and NAME in body and ADDRESS in body
    rows = list(AuditEntry.objects.values_list("actor", "field", "ticket_code", "reason"))
    assert sorted(rows) == [
        (agent.pk, "address", ticket.code, "回拨确认上门时间"),
        (agent.pk, "name", ticket.code, "回拨确认上门时间"),
        (agent.pk, "phone", ticket.code, "回拨确认上门时间"),
    ]
    # The next page view is masked again.
    assert PHONE not in detail(client, ticket)


def test_no_reason_no_reveal_and_nothing_recorded(client, agent, ticket):
    client.login(username=agent.username, password=PASSWORD)
    response = client.post(reverse("console:ticket_reveal", args=[ticket.code]), {"reason": " "})
    assert response.status_code == 302
    assert AuditEntry.objects.count() == 0
    with pytest.raises(ValidationFailed):
        ticket_contact_reveal(user=agent, ticket=ticket, reason="看")


def test_technician_and_outlet_manager_cannot_reveal(client, ticket, technician, dispatcher):
    ticket_transition(ticket=ticket, action="assign", actor=dispatcher, technician=technician)
    client.login(username=technician.user.username, password=PASSWORD)
    page = detail(client, ticket)
    assert PHONE not in page and "reveal" not in page
    client.post(reverse("console:ticket_reveal", args=[ticket.code]), {"reason": "我想打电话"})
    manager = UserFactory(username="mgr", role="outlet_manager")
    with pytest.raises(PermissionDenied):
        ticket_contact_reveal(user=manager, ticket=ticket, reason="想看看这个客户")
    assert AuditEntry.objects.count() == 0


def test_audit_rows_cannot_be_changed_or_removed(agent, ticket):
    ticket_contact_reveal(user=agent, ticket=ticket, reason="回拨确认地址")
    entry = AuditEntry.objects.first()
    entry.reason = "改掉"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="改掉")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    if connection.vendor == "postgresql":  # and the database refuses raw SQL too
        for sql in ("UPDATE privacy_auditentry SET reason = 'x'", "DELETE FROM privacy_auditentry"):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
                cur.execute(sql)
    assert AuditEntry.objects.get(pk=entry.pk).reason == "回拨确认地址"


def test_audit_page_for_operations(client, agent, ticket):
    ticket_contact_reveal(user=agent, ticket=ticket, reason="回拨确认地址")
    operations = UserFactory(username="ops", role="operations")
    client.login(username=operations.username, password=PASSWORD)
    body = client.get(reverse("console:audit"), {"actor": "agent"}).content.decode()
    assert body.count("回拨确认地址") == 3 and ticket.code in body
    assert (
        "回拨确认地址" not in client.get(reverse("console:audit"), {"actor": "x"}).content.decode()
    )
    client.login(username=agent.username, password=PASSWORD)
    assert client.get(reverse("console:audit")).status_code == 403
