"""Tracking tokens are sealed at rest (they were stored in the clear).

The column becomes plain text without its unique index, every existing token
is sealed in place, then the field becomes an EncryptedTextField (no schema
change in that last step).
"""

from django.db import migrations, models

import baoxiu.core.fields
import baoxiu.tickets.models
from baoxiu.core.sealing import seal_in_place


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
        seal_in_place("tickets", "Ticket", "tracking_token"),
        migrations.AlterField(
            model_name="ticket",
            name="tracking_token",
            field=baoxiu.core.fields.EncryptedTextField(
                default=baoxiu.tickets.models.new_tracking_token
            ),
        ),
    ]
