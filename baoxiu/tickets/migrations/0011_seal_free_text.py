"""A ticket's description is sealed at rest (it was plain): sealed in place,
then the field becomes an EncryptedTextField (no schema change)."""

from django.db import migrations

import baoxiu.core.fields
from baoxiu.core.sealing import seal_in_place


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0010_review5_quote_events"),
    ]

    operations = [
        seal_in_place("tickets", "Ticket", "description"),
        migrations.AlterField(
            model_name="ticket",
            name="description",
            field=baoxiu.core.fields.EncryptedTextField(
                blank=True, default="", verbose_name="问题描述"
            ),
        ),
    ]
