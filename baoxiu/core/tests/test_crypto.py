import pytest
from django.db import connection
from django.test import override_settings

from baoxiu.core.crypto import DecryptionError, blind_index, keyring, parse_keyring
from baoxiu.customers.selectors import customer_by_phone
from baoxiu.customers.services import customer_get_or_create

OLD = "old:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
NEW = "new:ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="


def test_seal_and_open_round_trip():
    ring = parse_keyring(NEW)
    token = ring.seal("13800138000", context="customers.Customer.phone")
    assert token.startswith("v1$new$")
    assert "13800138000" not in token
    assert ring.open(token, context="customers.Customer.phone") == "13800138000"


def test_ciphertext_is_bound_to_its_column():
    ring = parse_keyring(NEW)
    token = ring.seal("张三", context="customers.Customer.name")
    with pytest.raises(DecryptionError):
        ring.open(token, context="customers.Address.text")


def test_tampering_is_detected():
    ring = parse_keyring(NEW)
    token = ring.seal("张三", context="c")
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(DecryptionError):
        ring.open(flipped, context="c")


def test_old_key_still_opens_after_rotation():
    written = parse_keyring(OLD).seal("王五", context="c")
    rotated = parse_keyring(f"{NEW},{OLD}")
    assert rotated.primary_id == "new"
    assert rotated.open(written, context="c") == "王五"
    assert rotated.seal("王五", context="c").startswith("v1$new$")
    with pytest.raises(DecryptionError):
        parse_keyring(NEW).open(written, context="c")


@pytest.mark.parametrize("spec", ["", "nokey", "k:not-base64!", "k:c2hvcnQ="])
def test_bad_key_configuration_is_refused(spec):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        parse_keyring(spec)


def test_blind_index_is_keyed_and_purpose_bound():
    a = blind_index("13800138000", purpose="customer.phone")
    assert a == blind_index("13800138000", purpose="customer.phone")
    assert a != blind_index("13800138000", purpose="other")
    with override_settings(BLIND_INDEX_KEY="another-key"):
        assert blind_index("13800138000", purpose="customer.phone") != a


@pytest.mark.django_db
def test_lookup_by_phone_uses_blind_index():
    customer = customer_get_or_create(name="张三", phone="13800138000")
    assert customer_by_phone("138-0013-8000") == customer
    assert customer_by_phone("13900139000") is None
    assert customer_by_phone("not a phone") is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM customers_customer")
        (stored,) = cursor.fetchone()
    assert stored.startswith(f"v1${keyring().primary_id}$")
