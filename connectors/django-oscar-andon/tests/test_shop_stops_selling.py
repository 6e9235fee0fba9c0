"""Andon's signed listing webhooks against a real Oscar shop process: a suppressed book cannot
be added to a basket, a relisted one can; events apply in sequence order, a replay or a late
older event changes nothing, a bad signature is 401. The bodies are built exactly as Andon's
relay builds them (andon/integrations/relay.py: event_body) and signed with the same library
Andon signs with (standardwebhooks)."""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request

from conftest import SECRET
from standardwebhooks import Webhook

SKU = "9787020002207"


def andon_event(
    event_id: int, kind: str, sequence: int, data: dict | None = None, sku: str = SKU
) -> str:
    status = "suppressed" if kind == "listing.suppressed" else "active"
    return json.dumps(
        {
            "id": f"msg_{event_id}",
            "type": kind,
            "timestamp": dt.datetime.now(dt.UTC).isoformat(),
            "sku": sku,
            "sequence": sequence,
            "data": data or {"sku": sku, "listing_status": status},
        },
        separators=(",", ":"),
    )


def deliver(
    shop,
    event_id: int,
    kind: str,
    sequence: int,
    secret: str = SECRET,
    data: dict | None = None,
    sku: str = SKU,
) -> int:
    body = andon_event(event_id, kind, sequence, data, sku)
    msg_id, now = f"msg_{event_id}", dt.datetime.now(dt.UTC)
    req = urllib.request.Request(
        shop.url + "/andon/webhooks",
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Webhook(secret).sign(msg_id=msg_id, timestamp=now, data=body),
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def add_to_basket(shop, sku: str = SKU, quantity: int = 1) -> int:
    """A new customer opens the book's page and adds it; the number of items in the basket."""
    product_id, product_url = shop.products[sku]
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    browser.open(shop.url + product_url, timeout=10).read()
    browser.open(shop.url + "/basket/", timeout=10).read()  # sets the CSRF cookie
    token = next(c.value for c in jar if c.name == "csrftoken")
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "quantity": quantity}).encode()
    browser.open(
        urllib.request.Request(
            f"{shop.url}/basket/add/{product_id}/",
            data=form,
            headers={"Referer": shop.url + product_url},
        ),
        timeout=10,
    ).read()
    page = browser.open(shop.url + "/basket/", timeout=10).read().decode()
    return len(re.findall(r'name="form-\d+-quantity"', page))


def test_the_cord_stops_the_book_selling_and_the_relist_restarts_it(shop):
    assert add_to_basket(shop) == 1
    assert deliver(shop, 101, "listing.suppressed", 1) == 204
    assert add_to_basket(shop) == 0
    # The same delivery again (a retry) and a late older relist change nothing.
    assert deliver(shop, 101, "listing.suppressed", 1) == 204
    assert deliver(shop, 99, "listing.relisted", 0) == 204
    assert add_to_basket(shop) == 0
    assert deliver(shop, 102, "listing.relisted", 2) == 204
    assert add_to_basket(shop) == 1


def test_a_bad_signature_is_401_and_changes_nothing(shop):
    before = add_to_basket(shop)
    assert deliver(shop, 201, "listing.suppressed", 50, secret="whsec_" + "A" * 32) == 401
    assert add_to_basket(shop) == before


def limited(max_units, until: dt.datetime | None) -> dict:
    """A `listing.limited` payload as Andon sends it (the staged relist of issue 15)."""
    data = {"sku": SKU, "listing_status": "limited", "max_units": max_units}
    if until is not None:
        data["until"] = until.isoformat()
    return data


def test_a_staged_relist_caps_the_units_until_its_end(shop):
    hour = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert deliver(shop, 301, "listing.suppressed", 10) == 204
    assert add_to_basket(shop) == 0
    assert deliver(shop, 302, "listing.limited", 11, data=limited(2, hour)) == 204
    assert add_to_basket(shop, quantity=3) == 0  # "a maximum of 2 can be bought"
    assert add_to_basket(shop, quantity=2) == 1
    # A replay of the cap, or an older suppression arriving late, changes nothing.
    assert deliver(shop, 302, "listing.limited", 11, data=limited(2, hour)) == 204
    assert deliver(shop, 300, "listing.suppressed", 9) == 204
    assert add_to_basket(shop, quantity=2) == 1
    assert deliver(shop, 303, "listing.limited", 12, data=limited(0, hour)) == 204
    assert add_to_basket(shop) == 0
    # A cap that has ended no longer limits; one the shop cannot read keeps it stopped.
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    assert deliver(shop, 304, "listing.limited", 13, data=limited(1, past)) == 204
    assert add_to_basket(shop, quantity=3) == 1
    assert deliver(shop, 305, "listing.limited", 14, data=limited(5, None)) == 204
    assert add_to_basket(shop) == 0
    assert deliver(shop, 306, "listing.relisted", 15) == 204
    assert add_to_basket(shop, quantity=3) == 1
