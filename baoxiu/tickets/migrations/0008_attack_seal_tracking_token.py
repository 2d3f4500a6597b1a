"""Tracking tokens are sealed at rest (they were stored in the clear).

The column becomes plain text without its unique index, every existing token
is sealed in place, then the field becomes an EncryptedTextField (no schema
change in that last step).
"""

from django.db import migrations, models

import baoxiu.core.fields
import baoxiu.tickets.models

CONTEXT = "tickets.Ticket.tracking_token"


def seal_existing(apps, schema_editor):
    from baoxiu.core.crypto import keyring

    Ticket = apps.get_model("tickets", "Ticket")
    ring = keyring()
    for pk, token in Ticket.objects.values_list("pk", "tracking_token").iterator():
        Ticket.objects.filter(pk=pk).update(tracking_token=ring.seal(token, context=CONTEXT))


def open_existing(apps, schema_editor):
    from baoxiu.core.crypto import keyring

    Ticket = apps.get_model("tickets", "Ticket")
    ring = keyring()
    for pk, sealed in Ticket.objects.values_list("pk", "tracking_token").iterator():
        Ticket.objects.filter(pk=pk).update(tracking_token=ring.open(sealed, context=CONTEXT))


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0007_evidence_event_types"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ticket",
            name="tracking_token",
            field=models.TextField(default=baoxiu.tickets.models.new_tracking_token),
        ),
        migrations.RunPython(seal_existing, open_existing),
        migrations.AlterField(
            model_name="ticket",
            name="tracking_token",
            field=baoxiu.core.fields.EncryptedTextField(
                default=baoxiu.tickets.models.new_tracking_token
            ),
        ),
    ]
