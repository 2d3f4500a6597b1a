"""Timeline notes are sealed at rest (they were plain): the column becomes
plain text, existing notes are sealed in place, then the field becomes an
EncryptedTextField (no schema change in that last step)."""

from django.db import migrations, models

import baoxiu.core.fields
from baoxiu.core.sealing import seal_in_place


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0011_seal_free_text"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ticketevent",
            name="note",
            field=models.TextField(blank=True, default=""),
        ),
        seal_in_place("tickets", "TicketEvent", "note"),
        migrations.AlterField(
            model_name="ticketevent",
            name="note",
            field=baoxiu.core.fields.EncryptedTextField(blank=True, default=""),
        ),
    ]
