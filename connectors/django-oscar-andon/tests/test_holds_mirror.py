"""The shop mirrors Andon's holds after each listing webhook; when that sync fails, the shop
answers 503 (the listing change stays applied) and Andon's next delivery of the same event
syncs again. Andon's order endpoint is played by a small HTTP server in this process so that
it can answer garbage once: the whole loop against a real Andon is test_with_real_andon.py."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import shop_open
from test_shop_stops_selling import add_to_basket, deliver

BOOK = "9787549529322"


class OrdersStandIn(ThreadingHTTPServer):
    """GET /api/v1/orders/{number}: every line on hold, or a body that is not JSON."""

    broken = True
    asked = 0


class Handler(BaseHTTPRequestHandler):
    server: OrdersStandIn

    def do_GET(self) -> None:
        self.server.asked += 1
        if self.server.broken:
            body = b"<html>proxy error</html>"
        else:
            number = self.path.rsplit("/", 1)[-1]
            lines = [{"line_no": n, "on_hold": True} for n in (1, 2, 3)]
            body = json.dumps({"external_id": number, "lines": lines}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def andon_orders() -> Iterator[OrdersStandIn]:
    server = OrdersStandIn(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_a_failed_holds_sync_is_503_and_the_redelivery_syncs(
    kind, templates, tmp_path, andon_orders
):
    shop = shop_open(kind, templates, tmp_path / "shop")
    shop.env.update(ANDON_URL=f"http://127.0.0.1:{andon_orders.server_port}", ANDON_TOKEN="t")
    shop.manage(
        "shell",
        "-c",
        "from oscar.apps.order.models import Line; "
        f"Line.objects.filter(order__number='100001', upc='{BOOK}').update(status='Packed')",
    )
    assert BOOK in shop.manage("andon_pick_list")
    shop.start()
    try:
        assert deliver(shop, 401, "listing.suppressed", 7, sku=BOOK) == 503
        assert andon_orders.asked == 1
        # The listing change is applied all the same; the line is not marked yet.
        assert add_to_basket(shop, BOOK) == 0
        assert BOOK in shop.manage("andon_pick_list")
        andon_orders.broken = False
        assert deliver(shop, 401, "listing.suppressed", 7, sku=BOOK) == 204
        pick = shop.manage("andon_pick_list")
        assert BOOK not in pick and "(1 lines held by Andon not listed)" in pick, pick
        # A replay changes nothing more.
        assert deliver(shop, 401, "listing.suppressed", 7, sku=BOOK) == 204
        assert "(1 lines held by Andon not listed)" in shop.manage("andon_pick_list")
    finally:
        shop.close()
