"""Detection's place in the outbox becomes core's OutboxPlace "detection": one place
model for every consumer of the outbox (the relay, integrity, detection). Where detection had
got to is carried over; without a place (deleted by hand) it starts after the events
already there, as migration 0002_outbox_place made it."""

from django.db import migrations
from django.db.models import Max

PLACE = "detection"


def to_core(apps, schema_editor):
    db = schema_editor.connection.alias
    own = apps.get_model("detection", "OutboxPlace").objects.using(db).filter(name=PLACE)
    read_id = own.values_list("read_id", flat=True).first()
    if read_id is None:
        outbox = apps.get_model("core", "OutboxEvent").objects.using(db)
        read_id = outbox.aggregate(m=Max("id"))["m"] or 0
    apps.get_model("core", "OutboxPlace").objects.using(db).update_or_create(
        consumer=PLACE, defaults={"read_id": read_id}
    )


def from_core(apps, schema_editor):
    db = schema_editor.connection.alias
    place = apps.get_model("core", "OutboxPlace").objects.using(db).filter(consumer=PLACE)
    read_id = place.values_list("read_id", flat=True).first()
    apps.get_model("detection", "OutboxPlace").objects.using(db).update_or_create(
        name=PLACE, defaults={"read_id": read_id or 0}
    )
    place.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_outbox_place"),
        ("detection", "0002_outbox_place"),
    ]

    operations = [
        migrations.RunPython(to_core, from_core),
        migrations.DeleteModel(name="OutboxPlace"),
    ]
