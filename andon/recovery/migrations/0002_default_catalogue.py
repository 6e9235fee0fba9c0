"""The default catalogue and guide limits, from the talk's story (new copy with a check before
delivery, 5 CNY coupon, membership with 2% off, no photo, no return). Admins change them."""

from django.db import migrations

from andon.recovery.defaults import CATALOGUE


def load(apps, schema_editor):
    Action = apps.get_model("recovery", "RecoveryAction")
    Limit = apps.get_model("recovery", "GuideLimit")
    for pos, (code, kind, zh, en, cost, nzh, nen, agent, lead) in enumerate(CATALOGUE):
        action, _ = Action.objects.get_or_create(code=code, defaults={
            "kind": kind, "label_zh": zh, "label_en": en, "default_cost": cost,
            "note_zh": nzh, "note_en": nen, "position": pos,
        })
        for role, limit in (("agent", agent), ("team_lead", lead)):
            if limit is not None:
                Limit.objects.get_or_create(role=role, action=action,
                                            defaults={"max_cost": limit})


class Migration(migrations.Migration):
    dependencies = [("recovery", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
