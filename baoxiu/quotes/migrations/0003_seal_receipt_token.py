"""Receipt tokens are sealed at rest and found by a keyed digest (they were stored
in the clear, so a copy of the database opened every receipt)."""

from django.db import migrations, models

import baoxiu.core.fields
import baoxiu.quotes.models
from baoxiu.core.sealing import seal_in_place

PURPOSE = "quotes.receipt"


class Migration(migrations.Migration):
    dependencies = [
        ("quotes", "0002_review5_quote_reopened"),
    ]

    operations = [
        migrations.AddField(
            model_name="payment",
            name="receipt_index",
            field=models.CharField(editable=False, max_length=40, null=True),
        ),
        migrations.AlterField(
            model_name="payment",
            name="receipt_token",
            field=models.TextField(default=baoxiu.quotes.models.new_receipt_token),
        ),
        seal_in_place("quotes", "Payment", "receipt_token", index=("receipt_index", PURPOSE)),
        migrations.AlterField(
            model_name="payment",
            name="receipt_index",
            field=models.CharField(editable=False, max_length=40, unique=True),
        ),
        migrations.AlterField(
            model_name="payment",
            name="receipt_token",
            field=baoxiu.core.fields.EncryptedTextField(
                default=baoxiu.quotes.models.new_receipt_token
            ),
        ),
    ]
