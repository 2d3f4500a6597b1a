"""The log guard (``log_guard.py``) finds what it must, and only that."""

import pytest

from baoxiu.accounts.services import api_token_create
from tests.factories import UserFactory, make_ticket
from tests.security.log_guard import REGISTRY, Registry, find_leaks


def test_numbers_are_found_by_their_shape():
    lines = [
        "INFO x sms to 139****5678 sent",
        "WARNING x caller 13912345678 unknown",
        "WARNING x caller +86 15800001111 unknown",
        "INFO x ticket BX2611290001 assigned, 1732851234567 ms",
        "ERROR x id 11010119900307123X refused",
    ]

    leaks = find_leaks(lines, Registry())

    assert [what for what, _line in leaks] == [
        "mobile number 13912345678",
        "mobile number +86 15800001111",
        "ID number 11010119900307123X",
    ]


def test_registered_values_are_found_and_chance_strings_are_not_registered():
    registry = Registry()
    for value in [
        "欧阳明珠",
        "广州市天河区体育西路191号",
        "a",
        "00",
        "王",
        "bx_secret-token-value",
    ]:
        registry.add(value, "personal data")

    leaks = find_leaks(
        [
            "INFO x created for 欧阳明珠",
            "INFO x 00:00 a b",
            "INFO x address 广州市天河区体育西路191号",
            "DEBUG x Bearer bx_secret-token-value",
        ],
        registry,
    )

    assert sorted(registry.values) == sorted(
        ["欧阳明珠", "广州市天河区体育西路191号", "bx_secret-token-value"]
    )
    assert [what for what, _line in leaks] == [
        "personal data '欧阳明珠'",
        "personal data '广州市天河区体育西路191号'",
        "personal data 'bx_secret-token-value'",
    ]


@pytest.mark.django_db
def test_values_the_application_stores_are_registered_as_they_are_made(fault_type):
    ticket = make_ticket(
        fault_type=fault_type,
        name="司徒雷登",
        phone="15912340000",
        address="南京市鼓楼区北京西路1号",
    )
    token = api_token_create(user=UserFactory(username="lg-admin", role="admin"), name="t")

    for value, kind in [
        ("司徒雷登", "personal data"),
        ("15912340000", "personal data"),
        ("南京市鼓楼区北京西路1号", "personal data"),
        (ticket.tracking_token, "tracking token"),
        (token, "API token"),
    ]:
        assert REGISTRY.values.get(value) == kind, value
