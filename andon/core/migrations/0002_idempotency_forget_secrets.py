"""Blank the webhook signing secrets that earlier versions kept in stored idempotent answers
(issue 8): the table must hold no credential. A replay of such an answer then carries
`"secret": null`, as new ones do; the endpoint keeps its secret."""

import json

from django.db import migrations

SECRET_FIELDS = ("secret",)


def forget_secrets(apps, schema_editor):
    record_model = apps.get_model("core", "IdempotencyRecord")
    # Only webhook answers carried secrets (create and rotate); the filter keeps this cheap.
    rows = record_model.objects.filter(
        path__contains="/webhooks", response_body__isnull=False
    ).only("pk", "response_body")
    for record in rows.iterator():
        try:
            data = json.loads(bytes(record.response_body))
        except ValueError:
            continue
        if not isinstance(data, dict) or not any(data.get(k) for k in SECRET_FIELDS):
            continue
        data.update({k: None for k in SECRET_FIELDS if k in data})
        record_model.objects.filter(pk=record.pk).update(
            response_body=json.dumps(data, ensure_ascii=False).encode()
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forget_secrets, migrations.RunPython.noop)]
