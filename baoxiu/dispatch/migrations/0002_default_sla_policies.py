"""The default SLA policy per priority (no division), editable afterwards in the admin.

Minutes: dispatch / accept / arrive / complete; warn at 80% of each.
Emergency (customer locked out): 5 / 5 / 30 / 120 — on site within the
30-minute promise. Urgent: 30 / 30 / 240 / 480. Normal: 120 / 240 / 1440
(next day) / 2880. The same figures live in
``baoxiu.dispatch.selectors.DEFAULT_SLA_MINUTES`` as the fallback when a row is
missing; this migration keeps its own copy so that later edits there do not
rewrite history.
"""

from decimal import Decimal

from django.db import migrations

DEFAULTS = {
    "emergency": (5, 5, 30, 120),
    "urgent": (30, 30, 240, 480),
    "normal": (120, 240, 1440, 2880),
}


def add_defaults(apps, schema_editor):
    SlaPolicy = apps.get_model("dispatch", "SlaPolicy")
    for priority, (dispatch, accept, arrive, complete) in DEFAULTS.items():
        SlaPolicy.objects.using(schema_editor.connection.alias).get_or_create(
            priority=priority,
            division=None,
            defaults={
                "dispatch_minutes": dispatch,
                "accept_minutes": accept,
                "arrive_minutes": arrive,
                "complete_minutes": complete,
                "warn_fraction": Decimal("0.80"),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
