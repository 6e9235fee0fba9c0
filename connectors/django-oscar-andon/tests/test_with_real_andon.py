"""The whole loop with real processes: Andon (`andon serve` and `andon worker`, loaded with
`andon demo --small`) and the Oscar shop. Two customers report the demo's book, the agent
pulls the cord while the shop is down; the shop restarts and `andon_catch_up` reads the
listing feed: the book cannot be added to a basket. The departments fix and the confirmer
confirms: the worker's signed webhook makes the book buyable again within seconds."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from conftest import _admin_sql, _free_port
from test_shop_stops_selling import add_to_basket

ROOT = Path(__file__).resolve().parents[3]
ANDON = ROOT / ".venv" / "bin" / "andon"
BOOK = "9787549529322"


class Andon:
    def __init__(self, data: Path) -> None:
        self.data = data
        self.env = {
            k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTHONPATH")
        } | {
            "ANDON_WEBHOOK_TIMEOUT": "2",
            "ANDON_WEBHOOK_FIRST_RETRY": "0.2",
            "ANDON_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
        }
        self.procs: list[subprocess.Popen] = []
        self.url = ""

    def run(self, *args: str) -> str:
        return subprocess.run(
            [str(ANDON), *args],
            cwd=self.data,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        ).stdout.strip()

    def spawn(self, *args: str) -> None:
        log = (self.data / f"{args[0]}.log").open("ab")
        self.procs.append(
            subprocess.Popen(
                [str(ANDON), *args],
                cwd=self.data,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        log.close()

    def call(self, token: str, method: str, path: str, body: dict | None = None) -> dict:
        req = urllib.request.Request(
            f"{self.url}/api/v1{path}",
            data=json.dumps(body or {}).encode() if method == "POST" else None,
            method=method,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": uuid.uuid4().hex,
            },
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.load(r)

    def stop(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            p.wait(10)


@pytest.fixture
def andon(tmp_path, shop):
    """Andon on the shop's kind of database: SQLite, or its own PostgreSQL database."""
    if not ANDON.exists():
        pytest.skip("Andon's .venv is missing (scripts/bootstrap.sh)")
    a = Andon(tmp_path)
    pg_db = None
    if shop.env.get("SHOP_PG_NAME"):
        pg = shop.env["SHOP_PG_HOST"], int(shop.env["SHOP_PG_PORT"])
        pg_db = f"andon_e2e_{os.getpid()}"
        _admin_sql(*pg, f"DROP DATABASE IF EXISTS {pg_db}")
        _admin_sql(*pg, f"CREATE DATABASE {pg_db}")
        a.env["DATABASE_URL"] = f"postgres://postgres@{pg[0]}:{pg[1]}/{pg_db}"
    a.run("migrate", "-v0")
    a.run("demo", "--small")
    port = _free_port()
    a.url = f"http://127.0.0.1:{port}"
    a.spawn("serve", "--no-migrate", "--port", str(port))
    a.spawn("worker")
    try:
        wait(lambda: _answers(f"{a.url}/healthz"), 120, "andon serve")  # slow on a loaded machine
        yield a
    finally:  # also when Andon did not start: no process or database left behind
        a.stop()
        if pg_db is not None:
            _admin_sql(*pg, f"DROP DATABASE IF EXISTS {pg_db}")


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).close()
        return True
    except OSError:
        return False


def wait(cond, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_pull_while_the_shop_is_down_then_relist(shop, andon):
    tokens = {
        u: andon.run("token", "create", u)
        for u in ("integrator", "agent1", "agent2", "vendor1", "warehouse1", "confirmer1")
    }
    endpoint = andon.call(
        tokens["integrator"],
        "POST",
        "/webhooks",
        {"url": f"{shop.url}/andon/webhooks", "event_types": ["listing.*"]},
    )
    # The shop restarts with the endpoint's secret and a token to read the listing feed.
    shop.stop()
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
        shop.start()
        assert add_to_basket(shop, BOOK) == 0
        # Fixed and confirmed: the worker's webhook reaches the running shop.
        for wo in pull["work_orders"]:
            who = "vendor1" if wo["department"] == "vendor-management" else "warehouse1"
            disposition = "return-to-vendor" if who == "vendor1" else "release"
            andon.call(tokens[who], "POST", f"/work-orders/{wo['id']}/start")
            andon.call(
                tokens[who],
                "POST",
                f"/work-orders/{wo['id']}/resolve",
                {"findings": "checked", "disposition": disposition},
            )
        for wo in pull["work_orders"]:
            andon.call(tokens["confirmer1"], "POST", f"/work-orders/{wo['id']}/confirm")
        wait(lambda: add_to_basket(shop, BOOK) == 1, 20, "the relist to reach the shop")
        # The departments decided; Andon released the line: the warehouse picks it again.
        wait(lambda: BOOK in shop.manage("andon_pick_list"), 20, "the held line's release")
    finally:
        shop.stop()
        shop.env["ANDON_WEBHOOK_SECRET"] = shop.secret
        shop.start()
