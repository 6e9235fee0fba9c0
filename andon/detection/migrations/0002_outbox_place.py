"""Detection re-groups the products of new contacts from the outbox (its own place in it).
Events already in the outbox are not read again: the place starts after them (`andon
detection regroup` settles existing products once)."""

from django.db import migrations, models
from django.db.models import Max

PLACE = "detection"


def place_after_existing_events(apps, schema_editor):
    outbox = apps.get_model("core", "OutboxEvent")
    place = apps.get_model("detection", "OutboxPlace")
    top = outbox.objects.using(schema_editor.connection.alias).aggregate(m=Max("id"))["m"]
    place.objects.using(schema_editor.connection.alias).update_or_create(
        name=PLACE, defaults={"read_id": top or 0}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_idempotency_forget_secrets"),
        ("detection", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="OutboxPlace",
            fields=[
                ("name", models.CharField(max_length=32, primary_key=True, serialize=False)),
                ("read_id", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "detection's place in the outbox",
                "verbose_name_plural": "detection's places in the outbox",
            },
        ),
        migrations.RunPython(place_after_existing_events, migrations.RunPython.noop),
    ]
