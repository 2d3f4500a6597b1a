"""On PostgreSQL the trigger now lets the retention job delete audit rows older
than 180 days (the legal minimum); younger rows still cannot be changed or
removed, whatever the application's settings say."""

from django.db import migrations

REPLACE = """
CREATE OR REPLACE FUNCTION privacy_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < now() - interval '180 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
"""
RESTORE = """
CREATE OR REPLACE FUNCTION privacy_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REPLACE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESTORE)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0003_privacy_numbers_and_retention")]
    operations = [migrations.RunPython(forward, backward)]
