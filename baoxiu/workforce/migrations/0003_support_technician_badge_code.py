# Badge codes for the public "is this technician genuine?" check (support slice).
# Existing technicians each get their own random code before the column turns unique.

from django.db import migrations, models

import baoxiu.workforce.models


def fill_badge_codes(apps, schema_editor):
    Technician = apps.get_model("workforce", "Technician")
    for technician in Technician.objects.filter(badge_code__isnull=True).only("pk"):
        Technician.objects.filter(pk=technician.pk).update(
            badge_code=baoxiu.workforce.models.new_badge_code()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("workforce", "0002_technician_break_minutes_technician_break_start_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="technician",
            name="badge_code",
            field=models.CharField(editable=False, max_length=16, null=True, verbose_name="工牌编码"),
        ),
        migrations.RunPython(fill_badge_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="technician",
            name="badge_code",
            field=models.CharField(
                default=baoxiu.workforce.models.new_badge_code,
                editable=False,
                max_length=16,
                unique=True,
                verbose_name="工牌编码",
            ),
        ),
    ]
