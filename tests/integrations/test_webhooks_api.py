"""Endpoints, secrets, delivery log, dead letters and replay through the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from andon.integrations.models import Delivery, DeliveryState
from andon.integrations.relay import deliver_due, relay_pass

from .conftest import free_port
from .events import listing_events_emit

pytestmark = pytest.mark.django_db


def test_only_integrators_manage_webhooks_and_bad_urls_are_named(api):
    body = {"url": "http://127.0.0.1:9/hooks", "event_types": ["listing.*"]}
    assert api.call("POST", "/webhooks", "agent1", body).status_code == 403
    bad = api.call("POST", "/webhooks", "integrator", {"url": "ftp://example.com/x"})
    assert bad.status_code == 422 and bad.json()["field"] == "url"
    r = api.call("POST", "/webhooks", "integrator", body)
    assert r.status_code == 201
    listed = api.call("GET", "/webhooks", "integrator").json()
    assert [e["url"] for e in listed] == [body["url"]] and "secret" not in listed[0]


def test_rotation_gives_a_new_secret_and_keeps_the_old_one_for_a_grace_period(api):
    created = api.call(
        "POST", "/webhooks", "integrator", {"url": "http://127.0.0.1:9/hooks"}
    ).json()
    rotated = api.call("POST", f"/webhooks/{created['id']}/rotate-secret", "integrator").json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    assert rotated["previous_secret_expires_at"] is not None
    paused = api.call("PATCH", f"/webhooks/{created['id']}", "integrator", {"active": False})
    assert paused.status_code == 200 and paused.json()["active"] is False


def test_failures_retry_then_dead_letter_and_a_replay_sends_again(api, settings):
    settings.ANDON_WEBHOOK_RETRY_FOR = 0  # give up at the first failure
    settings.ANDON_WEBHOOK_TIMEOUT = 1
    url = f"http://127.0.0.1:{free_port()}/hooks"  # nothing listens: connection refused
    endpoint = api.call("POST", "/webhooks", "integrator", {"url": url}).json()
    listing_events_emit(2, products=1)
    assert relay_pass() == 2
    assert deliver_due() == 2
    log = api.call("GET", f"/webhooks/{endpoint['id']}/deliveries", "integrator").json()
    assert {d["state"] for d in log} == {"dead"}
    assert all("Connection refused" in d["last_error"] or d["last_error"] for d in log)
    dead = api.call("GET", f"/webhooks/{endpoint['id']}/deliveries?state=dead", "integrator").json()
    assert len(dead) == 2

    one = api.call("POST", f"/deliveries/{dead[0]['id']}/replay", "integrator")
    assert one.status_code == 200 and one.json()["state"] == "pending"
    assert one.json()["webhook_id"] == dead[0]["webhook_id"]  # same id: receivers dedupe
    now = timezone.now()
    r = api.call(
        "POST",
        f"/webhooks/{endpoint['id']}/replay",
        "integrator",
        {"since": (now - dt.timedelta(hours=1)).isoformat(), "until": now.isoformat()},
    )
    assert r.status_code == 200 and r.json() == {"queued": 2}
    assert Delivery.objects.filter(state=DeliveryState.PENDING).count() == 2
    settings.ANDON_WEBHOOK_RETRY_FOR = 3600
    assert deliver_due() == 2
    pending = Delivery.objects.filter(state=DeliveryState.PENDING)
    assert pending.count() == 2 and all(d.attempts == 2 for d in pending)
    assert all(d.next_attempt_at > timezone.now() for d in pending)  # backed off


def test_an_endpoint_gets_only_events_after_it_was_created(api):
    listing_events_emit(3, products=1)
    api.call("POST", "/webhooks", "integrator", {"url": "http://127.0.0.1:9/h"})
    listing_events_emit(1, products=2)
    relay_pass()
    assert Delivery.objects.count() == 1
