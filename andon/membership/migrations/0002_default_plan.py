"""The default plan of the talk's story (membership with 2% off, started by the recovery
catalogue's membership-98 action). Admins change it."""

from django.db import migrations

from andon.membership.defaults import BENEFITS, PLAN


def load(apps, schema_editor):
    Plan = apps.get_model("membership", "Plan")
    Benefit = apps.get_model("membership", "Benefit")
    plan, created = Plan.objects.get_or_create(code=PLAN["code"], defaults=PLAN)
    if created:
        for pos, (kind, value, zh, en) in enumerate(BENEFITS):
            Benefit.objects.create(
                plan=plan, kind=kind, value=value, label_zh=zh, label_en=en, position=pos
            )


class Migration(migrations.Migration):
    dependencies = [("membership", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
