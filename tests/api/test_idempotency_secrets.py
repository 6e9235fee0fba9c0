"""Webhook signing secrets are never kept in the idempotency table (issue 8, point 9): a replay
answers everything but the secret, and a migration blanks the ones stored before."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps

from andon.core.models import IdempotencyRecord
from andon.integrations.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

ENDPOINT = {"url": "http://127.0.0.1:9/hooks", "event_types": ["listing.*"]}


def _stored_bodies() -> list[bytes]:
    return [bytes(r.response_body or b"") for r in IdempotencyRecord.objects.all()]


def test_a_replayed_endpoint_creation_answers_without_the_secret_and_stores_none(api):
    first = api.call("POST", "/webhooks", "integrator", ENDPOINT, HTTP_IDEMPOTENCY_KEY="wh-1")
    assert first.status_code == 201
    secret = first.json()["secret"]
    assert secret.startswith("whsec_")
    assert all(secret.encode() not in body for body in _stored_bodies())
    assert all(b"whsec_" not in body for body in _stored_bodies())

    again = api.call("POST", "/webhooks", "integrator", ENDPOINT, HTTP_IDEMPOTENCY_KEY="wh-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json() | {"secret": None}
    assert WebhookEndpoint.objects.count() == 1  # the retry wrote nothing
    assert WebhookEndpoint.objects.get().secret == secret  # the endpoint keeps its secret


def test_a_replayed_rotation_does_not_rotate_again_nor_keep_the_new_secret(api):
    endpoint = api.call("POST", "/webhooks", "integrator", ENDPOINT).json()
    path = f"/webhooks/{endpoint['id']}/rotate-secret"
    first = api.call("POST", path, "integrator", HTTP_IDEMPOTENCY_KEY="rot-1")
    assert first.status_code == 200
    rotated = first.json()["secret"]
    again = api.call("POST", path, "integrator", HTTP_IDEMPOTENCY_KEY="rot-1")
    assert again["Idempotent-Replayed"] == "true" and again.json()["secret"] is None
    assert WebhookEndpoint.objects.get().secret == rotated  # rotated once
    assert all(rotated.encode() not in body for body in _stored_bodies())


def test_the_migration_blanks_secrets_stored_before(api, world):
    endpoint = api.call("POST", "/webhooks", "integrator", ENDPOINT).json()
    old = dict(endpoint, secret="whsec_c3RvcmVkLWJlZm9yZS1pc3N1ZS04")
    other = {"queued": 3}
    user = world.users["integrator"]
    for key, path, body in [
        ("k-old", "/api/v1/webhooks", old),
        ("k-other", f"/api/v1/webhooks/{endpoint['id']}/replay", other),
    ]:
        IdempotencyRecord.objects.create(
            user=user,
            key=key,
            method="POST",
            path=path,
            request_hash="x",
            status_code=201,
            response_body=json.dumps(body).encode(),
            content_type="application/json; charset=utf-8",
        )
    migration = importlib.import_module("andon.core.migrations.0002_idempotency_forget_secrets")
    migration.forget_secrets(apps, None)

    stored = {r.key: json.loads(bytes(r.response_body)) for r in IdempotencyRecord.objects.all()}
    assert stored["k-old"] == old | {"secret": None}
    assert stored["k-other"] == other  # nothing else touched
    assert WebhookEndpoint.objects.get().secret.startswith("whsec_")
