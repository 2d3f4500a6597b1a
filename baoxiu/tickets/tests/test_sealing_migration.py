"""The migration that seals timeline notes converts existing rows both ways."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from baoxiu.tickets.choices import EventType
from baoxiu.tickets.models import TicketEvent
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("tickets", "0011_seal_free_text")]
AFTER = [("tickets", "0012_seal_event_notes")]


def raw_notes() -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, note FROM tickets_ticketevent")
        return dict(cursor.fetchall())


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def test_notes_are_sealed_in_place_and_opened_again_on_the_way_back(fault_type):
    ticket = make_ticket(fault_type=fault_type)
    TicketEvent.objects.create(
        ticket=ticket, type=EventType.COMPLAINT, note="客户说钥匙在物业", created_at=timezone.now()
    )
    sealed_before = raw_notes()
    assert "客户说钥匙在物业" not in sealed_before.values()

    apps = migrate(BEFORE)  # back: every note opened in place
    assert "客户说钥匙在物业" in raw_notes().values()
    Historical = apps.get_model("tickets", "TicketEvent")
    Historical.objects.create(
        ticket_id=ticket.pk,
        type=EventType.COMPLAINT,
        note="门口密码4321",
        created_at=timezone.now(),
    )
    assert "门口密码4321" in raw_notes().values()

    migrate(AFTER)  # forward again: sealed, and the application reads them

    raw = raw_notes()
    assert not {"客户说钥匙在物业", "门口密码4321"} & set(raw.values())
    notes = dict(TicketEvent.objects.values_list("pk", "note"))
    assert {"客户说钥匙在物业", "门口密码4321"} <= set(notes.values())
    # Empty notes stay empty (no ciphertext of nothing); the rest are ciphertext.
    assert {pk for pk, value in raw.items() if value == ""} == {
        pk for pk, note in notes.items() if note == ""
    }
    assert len(raw) == 3 and sum(value == "" for value in raw.values()) == 1
