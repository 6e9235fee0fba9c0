"""A real storefront process receives a staged relist's `listing.limited` with its cap and
watch, then `listing.suppressed` when a complaint comes in the watch, in sequence."""

from __future__ import annotations

import pytest

from .conftest import wait_for
from .story import SKU, catalog_load, pull
from .test_staged_relist import STAGED, complain, fix_and_confirm

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_storefront_gets_limited_then_suppressed_in_sequence(api, receiver, workers):
    r = api.call(
        "POST", "/webhooks", "integrator", {"url": receiver.url, "event_types": ["listing.*"]}
    )
    receiver.start(r.json()["secret"])
    workers.start()
    catalog_load(api)
    fix_and_confirm(api, pull(api), STAGED)
    limited = wait_for(
        lambda: [e for e in receiver.received() if e["type"] == "listing.limited"],
        10,
        "listing.limited",
    )
    assert receiver.product(SKU) == {
        "sku": SKU,
        "available": True,
        "sequence": limited[0]["sequence"],
        "max_units": 50,
    }
    assert complain(api).status_code == 201
    wait_for(lambda: receiver.product(SKU)["available"] is False, 10, "the second stop-sell")
    kinds = [e["type"] for e in sorted(receiver.received(), key=lambda e: e["sequence"])]
    assert kinds == [
        "listing.suppressed",
        "listing.limited",
        "listing.suppressed",
    ]
    assert receiver.product(SKU)["sequence"] > limited[0]["sequence"]
