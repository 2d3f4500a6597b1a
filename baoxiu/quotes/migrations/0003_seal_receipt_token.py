"""Receipt tokens are sealed at rest and found by a keyed digest (they were stored
in the clear, so a copy of the database opened every receipt)."""

from django.db import migrations, models

import baoxiu.core.fields
import baoxiu.quotes.models

CONTEXT = "quotes.Payment.receipt_token"
PURPOSE = "quotes.receipt"


def seal_existing(apps, schema_editor):
    from baoxiu.core.crypto import bearer_token_index, keyring

    Payment = apps.get_model("quotes", "Payment")
    ring = keyring()
    for pk, token in Payment.objects.values_list("pk", "receipt_token").iterator():
        Payment.objects.filter(pk=pk).update(
            receipt_token=ring.seal(token, context=CONTEXT),
            receipt_index=bearer_token_index(token, purpose=PURPOSE),
        )


def open_existing(apps, schema_editor):
    from baoxiu.core.crypto import keyring

    Payment = apps.get_model("quotes", "Payment")
    ring = keyring()
    for pk, sealed in Payment.objects.values_list("pk", "receipt_token").iterator():
        Payment.objects.filter(pk=pk).update(receipt_token=ring.open(sealed, context=CONTEXT))


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
        migrations.RunPython(seal_existing, open_existing),
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
