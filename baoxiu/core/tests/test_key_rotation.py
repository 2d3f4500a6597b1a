"""``baoxiu keys rotate``: every sealed value moves to the new key while the
site keeps running; the old key can then be removed; phone look-ups keep
working; an edit made during the rotation is not lost."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from baoxiu.core.crypto import Keyring
from baoxiu.core.keys import encrypted_columns, field_keys_rotate, field_keys_status
from baoxiu.customers.models import Customer
from baoxiu.customers.selectors import customer_by_phone
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db

OLD = "old:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
NEW = "new:ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="
PEOPLE = [(f"客户{i}", f"1390000{i:04d}", f"深圳市南山区科技园路{i}号") for i in range(7)]


@pytest.fixture
def customers_under_old_key(settings, fault_type):
    settings.FIELD_ENCRYPTION_KEYS = OLD
    for name, phone, address in PEOPLE:
        customer = make_ticket(
            fault_type=fault_type, name=name, phone=phone, address=address
        ).customer
        Customer.objects.filter(pk=customer.pk).update(id_number=f"11010119900307{len(name):04d}")
    # Step 2 of the procedure: the new key is first, the old one still listed.
    settings.FIELD_ENCRYPTION_KEYS = f"{NEW},{OLD}"


def raw_key_ids() -> set[str]:
    """The key id of every sealed value, read straight from the tables."""
    ids = set()
    with connection.cursor() as cursor:
        for model, f in encrypted_columns():
            cursor.execute(f"SELECT {f.column} FROM {model._meta.db_table}")  # noqa: S608
            ids |= {Keyring.key_id_of(v) for (v,) in cursor.fetchall() if v}
    return ids


def everything_decrypted():
    return [
        (c.name, c.phone, c.id_number, [a.text for a in c.addresses.all()])
        for c in Customer.objects.order_by("pk").prefetch_related("addresses")
    ]


def test_after_rotation_every_value_opens_with_the_new_key_alone(customers_under_old_key, settings):
    before = everything_decrypted()
    assert raw_key_ids() == {"old"}

    results = field_keys_rotate(batch_size=3)

    # (Columns other apps seal are empty here: nothing to rotate there.)
    assert {r.column: r.rotated for r in results if r.rotated} == {
        "customers.Customer.name": 7,
        "customers.Customer.phone": 7,
        "customers.Customer.id_number": 7,
        "customers.Address.text": 7,
        "tickets.Ticket.tracking_token": 7,  # each customer's ticket link
        "tickets.Ticket.description": 7,  # what each reporter wrote
    }
    assert raw_key_ids() == {"new"}
    settings.FIELD_ENCRYPTION_KEYS = NEW  # the old key is gone
    assert everything_decrypted() == before
    # The blind index did not change: phone look-ups still find everyone.
    for name, phone, _address in PEOPLE:
        assert customer_by_phone(phone).name == name
    # A second run has nothing to do.
    assert sum(r.rotated for r in field_keys_rotate()) == 0


def test_an_edit_during_rotation_is_not_lost(customers_under_old_key, settings):
    edited_by_old_process = Customer.objects.order_by("pk")[0]
    edited_by_new_process = Customer.objects.order_by("pk")[1]

    edits = []

    def concurrent_edits(model, rows):
        if model is Customer and not edits:
            edits.append(rows[:])
            # A web process not yet restarted still seals with the old key...
            settings.FIELD_ENCRYPTION_KEYS = OLD
            Customer.objects.filter(pk=edited_by_old_process.pk).update(name="改名甲")
            # ...and one already restarted seals with the new key.
            settings.FIELD_ENCRYPTION_KEYS = f"{NEW},{OLD}"
            Customer.objects.filter(pk=edited_by_new_process.pk).update(name="改名乙")

    results = field_keys_rotate(batch_size=50, on_batch=concurrent_edits)

    assert [pk for pk, _ in edits[0][:2]] == [edited_by_old_process.pk, edited_by_new_process.pk]
    name_column = next(r for r in results if r.column == "customers.Customer.name")
    # Both edits beat the rotation's write, which then left those rows alone;
    # the one sealed with the old key was re-encrypted in the next pass.
    assert name_column.changed_meanwhile == 2
    assert name_column.rotated == 6
    settings.FIELD_ENCRYPTION_KEYS = NEW
    names = dict(Customer.objects.values_list("pk", "name"))
    assert names[edited_by_old_process.pk] == "改名甲"
    assert names[edited_by_new_process.pk] == "改名乙"
    assert raw_key_ids() == {"new"}


def test_an_interrupted_rotation_resumes_where_it_stopped(customers_under_old_key):
    class Interrupted(Exception):
        pass

    batches = []

    def stop_after_first_batch(model, rows):
        batches.append(len(rows))
        if len(batches) == 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        field_keys_rotate(batch_size=4, on_batch=stop_after_first_batch)

    status = field_keys_status()
    assert status["customers.Customer.name"] == {"new": 4, "old": 3}
    results = field_keys_rotate(batch_size=4)
    assert {r.column: r.rotated for r in results}["customers.Customer.name"] == 3
    assert raw_key_ids() == {"new"}


def test_the_command_reports_progress_and_refuses_a_stale_key_order(customers_under_old_key):
    with pytest.raises(CommandError, match="is 'new', not 'old'"):
        call_command("keys", "rotate", "--to", "old")
    assert raw_key_ids() == {"old"}

    out = StringIO()
    call_command("keys", "rotate", "--to", "new", "--batch-size", "5", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "re-encrypting under key new"
    assert "  customers.Customer.phone: 5 re-encrypted" in lines
    assert "  customers.Customer.phone: 7 re-encrypted" in lines
    assert lines[-1] == "done: 42 values re-encrypted"
    status = StringIO()
    call_command("keys", "status", stdout=status)
    lines = status.getvalue().splitlines()
    assert lines[0] == "primary key: new; configured: new, old"
    assert lines[-1] == "key old seals nothing: it may be removed"
    assert {
        "customers.Customer.name: new=7",
        "customers.Customer.phone: new=7",
        "customers.Customer.id_number: new=7",
        "customers.Address.text: new=7",
    } <= set(lines)


def test_a_value_no_key_opens_is_reported_and_fails_the_command(customers_under_old_key, settings):
    settings.FIELD_ENCRYPTION_KEYS = NEW  # the old key dropped too early
    err = StringIO()
    with pytest.raises(CommandError, match="42 values could not be opened"):
        call_command("keys", "rotate", stdout=StringIO(), stderr=err)
    assert raw_key_ids() == {"old"}


def test_generate_prints_a_usable_key(capsys):
    from baoxiu.core.crypto import parse_keyring

    call_command("keys", "generate", "--id", "k9")
    entry = capsys.readouterr().out.strip()
    assert entry.startswith("k9:") and parse_keyring(entry).primary_id == "k9"


def test_the_baoxiu_command_runs_keys_and_privacy():
    from baoxiu.cli import django_argv

    assert django_argv(["keys", "rotate", "--to", "k2"])[0] == [
        "baoxiu",
        "keys",
        "rotate",
        "--to",
        "k2",
    ]
    assert django_argv(["privacy", "purge"])[0] == ["baoxiu", "privacy", "purge"]
