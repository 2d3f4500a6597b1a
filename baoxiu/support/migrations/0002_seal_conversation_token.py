"""Chat tokens are sealed at rest and found by a keyed digest (they were stored
in the clear, so a copy of the database opened every chat)."""

from django.db import migrations, models

import baoxiu.core.fields
import baoxiu.support.models
from baoxiu.core.sealing import seal_in_place

PURPOSE = "support.conversation"


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="token_index",
            field=models.CharField(editable=False, max_length=40, null=True),
        ),
        migrations.AlterField(
            model_name="conversation",
            name="token",
            field=models.TextField(default=baoxiu.support.models.new_conversation_token),
        ),
        seal_in_place("support", "Conversation", "token", index=("token_index", PURPOSE)),
        migrations.AlterField(
            model_name="conversation",
            name="token_index",
            field=models.CharField(editable=False, max_length=40, unique=True),
        ),
        migrations.AlterField(
            model_name="conversation",
            name="token",
            field=baoxiu.core.fields.EncryptedTextField(
                default=baoxiu.support.models.new_conversation_token
            ),
        ),
    ]
