"""Chat tokens are sealed at rest and found by a keyed digest (they were stored
in the clear, so a copy of the database opened every chat)."""

from django.db import migrations, models

import baoxiu.core.fields
import baoxiu.support.models

CONTEXT = "support.Conversation.token"
PURPOSE = "support.conversation"


def seal_existing(apps, schema_editor):
    from baoxiu.core.crypto import bearer_token_index, keyring

    Conversation = apps.get_model("support", "Conversation")
    ring = keyring()
    for pk, token in Conversation.objects.values_list("pk", "token").iterator():
        Conversation.objects.filter(pk=pk).update(
            token=ring.seal(token, context=CONTEXT),
            token_index=bearer_token_index(token, purpose=PURPOSE),
        )


def open_existing(apps, schema_editor):
    from baoxiu.core.crypto import keyring

    Conversation = apps.get_model("support", "Conversation")
    ring = keyring()
    for pk, sealed in Conversation.objects.values_list("pk", "token").iterator():
        Conversation.objects.filter(pk=pk).update(token=ring.open(sealed, context=CONTEXT))


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
        migrations.RunPython(seal_existing, open_existing),
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
