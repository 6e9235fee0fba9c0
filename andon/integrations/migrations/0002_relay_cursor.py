from django.db import migrations


def create_cursor(apps, schema_editor):
    # The one relay cursor exists from the start, so that relayers only ever lock it.
    apps.get_model("integrations", "RelayCursor").objects.get_or_create(name="outbox")


class Migration(migrations.Migration):
    dependencies = [("integrations", "0001_initial")]
    operations = [migrations.RunPython(create_cursor, migrations.RunPython.noop)]
