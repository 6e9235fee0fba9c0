"""The relay's cursor over the outbox becomes core's OutboxPlace "relay": one place model for
every consumer of the outbox (the relay, integrity, detection). Where the relay had got to
is carried over, so no event is relayed twice or skipped."""

from django.db import migrations

CURSOR, PLACE = "outbox", "relay"


def to_core(apps, schema_editor):
    db = schema_editor.connection.alias
    cursor = apps.get_model("integrations", "RelayCursor").objects.using(db).filter(name=CURSOR)
    read_id = cursor.values_list("relayed_id", flat=True).first()
    # No cursor (deleted by hand): the relay starts at the start, as migration 0002 made it.
    apps.get_model("core", "OutboxPlace").objects.using(db).update_or_create(
        consumer=PLACE, defaults={"read_id": read_id or 0}
    )


def from_core(apps, schema_editor):
    db = schema_editor.connection.alias
    place = apps.get_model("core", "OutboxPlace").objects.using(db).filter(consumer=PLACE)
    read_id = place.values_list("read_id", flat=True).first()
    apps.get_model("integrations", "RelayCursor").objects.using(db).update_or_create(
        name=CURSOR, defaults={"relayed_id": read_id or 0}
    )
    place.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_outbox_place"),
        ("integrations", "0004_inbound_helpdesks"),
    ]

    operations = [
        migrations.RunPython(to_core, from_core),
        migrations.DeleteModel(name="RelayCursor"),
    ]
