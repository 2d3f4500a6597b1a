"""Alert messages are sealed at rest (a complaint alert quotes the customer):
the column becomes plain text, existing messages are sealed in place, then
the field becomes an EncryptedTextField (no schema change in that last step)."""

from django.db import migrations, models

import baoxiu.core.fields
from baoxiu.core.sealing import seal_in_place


class Migration(migrations.Migration):
    dependencies = [
        ("dispatch", "0006_evidence_alert_kinds"),
    ]

    operations = [
        migrations.AlterField(
            model_name="dispatchalert",
            name="message",
            field=models.TextField(verbose_name="内容"),
        ),
        seal_in_place("dispatch", "DispatchAlert", "message"),
        migrations.AlterField(
            model_name="dispatchalert",
            name="message",
            field=baoxiu.core.fields.EncryptedTextField(verbose_name="内容"),
        ),
    ]
