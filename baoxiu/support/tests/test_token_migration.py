"""The migration that seals chat tokens keeps every existing chat link working."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from baoxiu.support.selectors import conversation_by_token

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("support", "0001_initial")]
AFTER = [("support", "0002_seal_conversation_token")]


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def test_existing_chat_tokens_are_sealed_indexed_and_still_find_their_chat():
    apps = migrate(BEFORE)
    Conversation = apps.get_model("support", "Conversation")
    now = timezone.now()
    tokens = [f"chat-token-{n:02d}-abcdefghijklmnop" for n in range(3)]
    for token in tokens:
        Conversation.objects.create(token=token, created_at=now, last_message_at=now)

    migrate(AFTER)

    with connection.cursor() as cursor:
        cursor.execute("SELECT token, token_index FROM support_conversation ORDER BY id")
        raw = cursor.fetchall()
    assert len(raw) == 3
    assert not {token for token, _index in raw} & set(tokens)
    assert len({index for _token, index in raw}) == 3
    assert [conversation_by_token(t).token for t in tokens] == tokens

    migrate(BEFORE)  # and back: the tokens are plain again
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM support_conversation ORDER BY id")
        assert [row[0] for row in cursor.fetchall()] == tokens
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
