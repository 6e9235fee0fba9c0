"""A real storefront process receives the cord's listing events, signed, in order."""

from __future__ import annotations

import time

import pytest

from andon.integrations.models import Delivery

from .conftest import wait_for
from .story import SKU, catalog_load, fix_and_relist, pull

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_pull_reaches_the_storefront_signed_and_a_relist_follows_with_a_higher_sequence(
    api, receiver, workers
):
    # Given a storefront registered for listing events, and a worker running
    r = api.call(
        "POST", "/webhooks", "integrator", {"url": receiver.url, "event_types": ["listing.*"]}
    )
    assert r.status_code == 201, r.content
    endpoint = r.json()
    assert endpoint["secret"].startswith("whsec_")
    receiver.start(endpoint["secret"])
    workers.start()
    catalog_load(api)

    # When the cord is pulled
    andon = pull(api)
    committed = time.time()

    # Then the storefront learns of the stop-sell within a second, and verified its signature
    # (the receiver logs only what verifies)
    got = wait_for(
        lambda: [e for e in receiver.received() if e["type"] == "listing.suppressed"],
        10,
        "listing.suppressed",
    )
    assert got[0]["received_at"] - committed < 1.0, got[0]["received_at"] - committed
    assert got[0]["sku"] == SKU
    assert receiver.product(SKU)["available"] is False

    # When the work orders are fixed and confirmed, the relist follows, with a higher sequence
    fix_and_relist(api, andon)
    relisted = wait_for(
        lambda: [e for e in receiver.received() if e["type"] == "listing.relisted"],
        10,
        "listing.relisted",
    )
    assert relisted[0]["sequence"] > got[0]["sequence"]
    assert receiver.product(SKU) == {
        "sku": SKU,
        "available": True,
        "sequence": relisted[0]["sequence"],
    }
    # Only the filtered family arrived, once each; the log shows one 2xx attempt each.
    assert sorted(e["type"] for e in receiver.received()) == [
        "listing.relisted",
        "listing.suppressed",
    ]

    # The worker records the attempt after the receiver has answered: wait for that write.
    def delivered() -> list[dict]:
        log = api.call("GET", f"/webhooks/{endpoint['id']}/deliveries", "integrator").json()
        return log if all(d["state"] == "delivered" for d in log) else []

    log = wait_for(delivered, 10, "both deliveries recorded")
    assert [(d["event_type"], d["state"], d["attempts"]) for d in log] == [
        ("listing.relisted", "delivered", 1),
        ("listing.suppressed", "delivered", 1),
    ]
    assert log[0]["attempt_log"][0]["status_code"] == 204
    assert Delivery.objects.count() == 2


def test_a_wrong_secret_is_refused_by_the_receiver_and_retried(api, receiver, workers):
    r = api.call("POST", "/webhooks", "integrator", {"url": receiver.url})
    endpoint = r.json()
    receiver.start("whsec_" + "QUJD" * 8)  # not the endpoint's secret
    workers.start()
    catalog_load(api)
    pull(api)
    wait_for(lambda: Delivery.objects.filter(attempts__gte=2).exists(), 15, "a retry")
    log = api.call("GET", f"/webhooks/{endpoint['id']}/deliveries", "integrator").json()
    assert {d["state"] for d in log} == {"pending"}
    assert {a["status_code"] for d in log for a in d["attempt_log"]} == {401}
    assert receiver.received() == []
