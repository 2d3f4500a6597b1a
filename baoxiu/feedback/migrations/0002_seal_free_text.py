"""Complaints, replies and rating comments are sealed at rest (they were plain).

The columns become plain text, existing values are sealed in place, then the
fields become EncryptedTextField (no schema change in that last step).
"""

from django.db import migrations, models

import baoxiu.core.fields
from baoxiu.core.sealing import seal_in_place


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="complaint",
            name="reply",
            field=models.TextField(blank=True, default="", verbose_name="处理结果"),
        ),
        migrations.AlterField(
            model_name="rating",
            name="comment",
            field=models.TextField(blank=True, default="", verbose_name="评价"),
        ),
        seal_in_place("feedback", "Complaint", "text", "reply"),
        seal_in_place("feedback", "Rating", "comment"),
        migrations.AlterField(
            model_name="complaint",
            name="reply",
            field=baoxiu.core.fields.EncryptedTextField(
                blank=True, default="", verbose_name="处理结果"
            ),
        ),
        migrations.AlterField(
            model_name="complaint",
            name="text",
            field=baoxiu.core.fields.EncryptedTextField(verbose_name="内容"),
        ),
        migrations.AlterField(
            model_name="rating",
            name="comment",
            field=baoxiu.core.fields.EncryptedTextField(
                blank=True, default="", verbose_name="评价"
            ),
        ),
    ]
