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


@pytest.mark.django_db
def test_chat_callers_register_entries_and_bearer_links_are_registered(fault_type):
    from django.utils import timezone

    from baoxiu.core.log_redaction import redact
    from baoxiu.support.services import call_event_record, conversation_start
    from baoxiu.support.telephony.base import CallEventData

    chat = conversation_start(body="我的电话13712345600，请回电", client_ip="10.0.0.9")
    call_event_record(
        event=CallEventData(
            call_id="lg-call",
            event="ringing",
            caller="13612345601",
            called="",
            agent="",
            recording_ref="",
            occurred_at=timezone.now(),
        )
    )

    for value, kind in [
        ("我的电话13712345600，请回电", "personal data"),
        ("13612345601", "personal data"),
        (chat.token, "chat token"),
    ]:
        assert REGISTRY.values.get(value) == kind, value
    assert find_leaks(["WARNING x chat says 我的电话13712345600，请回电"], REGISTRY)
    assert redact("Not Found: /receipt/abcDEF_-123/") == "Not Found: /receipt/[redacted]/"
