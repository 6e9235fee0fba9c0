"""The whole loop with real processes: Andon (`andon serve`, and `andon worker` on
PostgreSQL, loaded with `andon demo --small`) and the Oscar shop. The shop pushes its
catalogue, stock and orders; two customers report the demo's book, the agent pulls the cord
while the shop is down; `andon_catch_up` reads the listing feed: the book cannot be added to
a basket, and Andon's held (packed) line leaves the pick list; a line placed meanwhile is
not held until it is packed and pushed. The departments fix and the confirmer confirms:
Andon's signed webhook makes the book buyable again within seconds and the lines come back
to the pick list."""

from __future__ import annotations

import re

import pytest
from andon_e2e import ANDON, Andon, confirm_work_orders, wait
from conftest import shop_open
from test_shop_stops_selling import add_to_basket

BOOK = "9787549529322"


@pytest.fixture
def andon(kind, templates, tmp_path):
    """Andon (`andon serve`, and `andon worker` on PostgreSQL) on the shop's kind of
    database, from a copy of the template loaded with `andon demo --small`."""
    if not ANDON.exists():
        pytest.skip("Andon's .venv is missing (scripts/bootstrap.sh)")
    a = Andon(kind, templates.get("andon", kind), tmp_path / "andon")
    try:
        a.start()
        yield a
    finally:  # also when Andon did not start: no process or database left behind
        a.close()


@pytest.fixture
def own_shop(kind, templates, tmp_path):
    """A shop of this test's own (not started: the test gives it Andon's address first)."""
    s = shop_open(kind, templates, tmp_path / "shop")
    try:
        yield s
    finally:
        s.close()


def test_pull_while_the_shop_is_down_then_relist(own_shop, andon):
    shop, tokens = own_shop, andon.tokens
    endpoint = andon.call(
        tokens["integrator"],
        "POST",
        "/webhooks",
        {"url": f"{shop.url}/andon/webhooks", "event_types": ["listing.*"]},
    )
    # The shop runs with the endpoint's secret and a token to read the listing feed.
    shop.env.update(
        ANDON_WEBHOOK_SECRET=endpoint["secret"],
        ANDON_URL=andon.url,
        ANDON_TOKEN=tokens["integrator"],
    )
    shop.manage("andon_catch_up")  # the demo's history: the book is on sale
    # The shop's catalogue and stock go to Andon; a second full push changes nothing, an
    # incremental one with no change in the shop sends no product.
    first = shop.manage("andon_push", "--full")
    # (the demo knows both books already: they are updated with the shop's titles)
    assert re.search(r"products: \d+ created, \d+ updated, 0 unchanged, 0 rejected", first)
    assert "stock: 2 created" in first and "0 rejected" in first, first
    book = andon.call(tokens["agent1"], "GET", "/products/9787020002207")
    assert book["title"] == "红楼梦"
    again = shop.manage("andon_push", "--full")
    assert "products: 0 created, 0 updated, 2 unchanged" in again, again
    assert "stock: 0 created, 0 updated, 2 unchanged" in again, again
    assert "products: 0 created, 0 updated, 0 unchanged" in shop.manage("andon_push")
    assert re.search(r"orders: 2 created, 0 updated, 0 unchanged, 0 rejected", first), first
    assert "orders: 0 created, 0 updated, 2 unchanged" in again, again
    order = andon.call(tokens["agent1"], "GET", "/orders/100001")
    assert order["customer"] == "oscar-1" or order["customer"].startswith("oscar-")
    lines = {ln["sku"]: ln["status"] for ln in order["lines"]}
    assert lines == {"9787020002207": "shipped", BOOK: "placed"}
    # A line's status changes in the shop (Oscar records no change time for it): the
    # incremental push carries it, once.
    shop.manage(
        "shell",
        "-c",
        "from oscar.apps.order.models import Line; "
        f"Line.objects.filter(order__number='100001', upc='{BOOK}').update(status='Packed')",
    )
    # (rows are lines: the changed line is updated, its order's other line unchanged)
    assert "orders: 0 created, 1 updated, 1 unchanged" in shop.manage("andon_push")
    order = andon.call(tokens["agent1"], "GET", "/orders/100001")
    assert {ln["sku"]: ln["status"] for ln in order["lines"]}[BOOK] == "packed"
    assert "orders: 0 created, 0 updated, 0 unchanged" in shop.manage("andon_push")
    assert BOOK in shop.manage("andon_pick_list")
    shop.start()
    try:
        assert add_to_basket(shop, BOOK) == 1
        shop.stop()  # the shop is down when the cord is pulled
        for agent, cust, order, text in [
            ("agent1", "cust-a", "order-a", "100-101页未裁开"),
            ("agent2", "cust-b", "order-b", "同样没裁开"),
        ]:
            andon.call(
                tokens[agent],
                "POST",
                "/contacts",
                {
                    "customer": cust,
                    "order": order,
                    "line_no": 1,
                    "reason": "print-defect",
                    "text": text,
                },
            )
        pull = andon.call(
            tokens["agent2"],
            "POST",
            "/andons",
            {"sku": BOOK, "reason": "print-defect", "note": "100-101页未裁开"},
        )
        out = shop.manage("andon_catch_up")
        # The suppression came from the feed (the worker's deliveries failed: the shop was down).
        assert re.search(r"\b[1-9]\d* applied", out), out
        # Andon held the packed line: the shop marks it, the pick list skips it.
        assert "order lines: 1 held, 0 released" in out, out
        pick = shop.manage("andon_pick_list")
        assert BOOK not in pick and "(1 lines held by Andon not listed)" in pick, pick
        # A line placed while the book is stopped: Andon holds packed lines only, so the
        # shop does not mark it and the warehouse picks it...
        shop.manage(
            "shell",
            "-c",
            f"from shop.seed import order_place; order_place('100002', {{'{BOOK}': ''}})",
        )
        out = shop.manage("andon_push")
        assert "orders: 1 created, 0 updated, 0 unchanged" in out, out
        assert "order lines: 0 held, 0 released" in out, out
        (line,) = andon.call(tokens["agent1"], "GET", "/orders/100002")["lines"]
        assert (line["status"], line["on_hold"]) == ("placed", False), line
        assert f"100002\t{BOOK}" in shop.manage("andon_pick_list")
        # ...and packs it: the push sends it packed, Andon holds it as it arrives (the book is
        # stopped), and the push marks it at once.
        shop.manage(
            "shell",
            "-c",
            "from oscar.apps.order.models import Line; "
            "Line.objects.filter(order__number='100002').update(status='Packed')",
        )
        out = shop.manage("andon_push")
        assert "orders: 0 created, 1 updated, 0 unchanged" in out, out
        assert "order lines: 1 held, 0 released" in out, out
        pick = shop.manage("andon_pick_list")
        assert BOOK not in pick and "(2 lines held by Andon not listed)" in pick, pick
        shop.start()
        assert add_to_basket(shop, BOOK) == 0
        # Fixed and confirmed: the worker's webhook reaches the running shop.
        confirm_work_orders(andon, pull["work_orders"])
        wait(lambda: add_to_basket(shop, BOOK) == 1, 20, "the relist to reach the shop", 0.1)
        # The departments decided; Andon released the line: the warehouse picks it again.
        pick = wait(
            lambda: (p := shop.manage("andon_pick_list")).count(BOOK) == 2 and p,
            20,
            "the held lines' release",
            0.5,
        )
        assert "(0 lines held by Andon not listed)" in pick, pick
        # A mark the relist's sync missed (say the shop's database was locked then): the next
        # catch-up reads the holds of the product on sale again and unmarks it. The shop's
        # server is stopped first: a late redelivery of an event that failed while it was
        # down would sync the holds too (every listing delivery does), before the catch-up.
        shop.stop()
        shop.manage(
            "shell",
            "-c",
            "from andon_oscar.models import AndonHeldLine; "
            "from oscar.apps.order.models import Line; "
            "line = Line.objects.get(order__number='100002'); "
            "AndonHeldLine.objects.create(line_id=line.pk, order_number='100002', sku=line.upc)",
        )
        assert f"100002\t{BOOK}" not in shop.manage("andon_pick_list")
        out = shop.manage("andon_catch_up")
        assert "order lines: 0 held, 1 released" in out, out
    finally:
        shop.stop()
