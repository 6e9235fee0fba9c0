"""Integrity reads what writes touched from the outbox (its own place in it) instead of an
after-commit note per write. Events already in the outbox were noted by the old hook when
they committed: the place starts after them."""

from django.db import migrations, models
from django.db.models import Max

PLACE = "integrity"


def place_after_existing_events(apps, schema_editor):
    outbox = apps.get_model("core", "OutboxEvent")
    place = apps.get_model("integrity", "OutboxPlace")
    top = outbox.objects.using(schema_editor.connection.alias).aggregate(m=Max("id"))["m"]
    place.objects.using(schema_editor.connection.alias).update_or_create(
        name=PLACE, defaults={"read_id": top or 0}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_idempotency_forget_secrets"),
        ("integrity", "0002_tallies"),
    ]

    operations = [
        migrations.CreateModel(
            name="OutboxPlace",
            fields=[
                ("name", models.CharField(max_length=32, primary_key=True, serialize=False)),
                ("read_id", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "integrity's place in the outbox",
                "verbose_name_plural": "integrity's places in the outbox",
            },
        ),
        migrations.RunPython(place_after_existing_events, migrations.RunPython.noop),
    ]
