"""PostgreSQL: NOTIFY andon_outbox from a trigger on the outbox, so that every transaction
that writes events wakes the delivery loops at commit (NOTIFY is transactional) without a
round trip of its own on the pull's hot path. SQLite has no notifications: nothing to do."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION andon_outbox_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('andon_outbox', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
TRIGGER = """
CREATE TRIGGER andon_outbox_notify AFTER INSERT ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION andon_outbox_notify();
"""
DROP = """
DROP TRIGGER IF EXISTS andon_outbox_notify ON {table};
DROP FUNCTION IF EXISTS andon_outbox_notify();
"""


def _table(apps) -> str:
    return apps.get_model("core", "OutboxEvent")._meta.db_table


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)
        schema_editor.execute(TRIGGER.format(table=_table(apps)))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP.format(table=_table(apps)))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("integrations", "0002_relay_cursor"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
