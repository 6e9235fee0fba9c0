"""An example storefront receiving Andon's webhooks (stdlib HTTP server + standardwebhooks).

POST /webhooks      verify the signature (401 if wrong), log the event, apply listing changes
GET  /products/SKU  {"sku", "available", "sequence"}
GET  /health        200

State lives in --data: `state.json` (availability and last applied sequence per product) and
`received.jsonl` (every verified delivery, one line each, for whoever wants to audit it).
Listing events are applied only when their sequence is higher than the last one applied for
the product, so a late retry of an older event never undoes a newer one; a repeated
`webhook-id` is logged but changes nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


class Store:
    def __init__(self, data: Path) -> None:
        data.mkdir(parents=True, exist_ok=True)
        self.state_path = data / "state.json"
        self.log_path = data / "received.jsonl"
        self.lock = threading.Lock()
        self.state = (
            json.loads(self.state_path.read_text())
            if self.state_path.exists()
            else {"products": {}, "seen": []}
        )

    def apply(self, msg_id: str, event: dict) -> None:
        with self.lock:
            with self.log_path.open("a") as f:
                f.write(
                    json.dumps(
                        {
                            "webhook_id": msg_id,
                            "type": event.get("type"),
                            "sku": event.get("sku"),
                            "sequence": event.get("sequence"),
                            "timestamp": event.get("timestamp"),
                            "received_at": time.time(),
                        }
                    )
                    + "\n"
                )
            seen = set(self.state["seen"])
            if msg_id in seen:
                return
            self.state["seen"].append(msg_id)
            kind, sku, seq = event.get("type", ""), event.get("sku"), event.get("sequence")
            listing = ("listing.suppressed", "listing.relisted", "listing.limited")
            if kind in listing and sku and seq:
                product = self.state["products"].setdefault(sku, {"available": True, "sequence": 0})
                if seq > product["sequence"]:
                    product["available"] = kind != "listing.suppressed"
                    product["sequence"] = seq
                    # A staged relist sells under a cap until the watch ends.
                    product.pop("max_units", None)
                    if kind == "listing.limited":
                        product["max_units"] = (event.get("data") or {}).get("max_units")
            tmp = self.state_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.state))
            os.replace(tmp, self.state_path)

    def product(self, sku: str) -> dict:
        with self.lock:
            p = self.state["products"].get(sku, {"available": True, "sequence": 0})
            return {"sku": sku, **p}


def make_handler(store: Store, hooks: list[Webhook]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: dict | None = None) -> None:
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            if self.path != "/webhooks":
                return self._send(404, {"error": "not found"})
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items()}
            event = None
            for hook in hooks:  # several secrets while the sender rotates
                try:
                    event = hook.verify(body, headers)
                    break
                except WebhookVerificationError:
                    continue
            if event is None:
                return self._send(401, {"error": "bad signature"})
            store.apply(self.headers["webhook-id"], event)
            return self._send(204)

        def do_GET(self) -> None:
            if self.path == "/health":
                return self._send(200, {"ok": True})
            if self.path.startswith("/products/"):
                return self._send(200, store.product(self.path.removeprefix("/products/")))
            return self._send(404, {"error": "not found"})

        def log_message(self, format: str, *args) -> None:  # quiet by default
            pass

    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--secret", action="append", required=True, help="whsec_... (repeat during a rotation)"
    )
    parser.add_argument("--data", type=Path, default=Path("storefront-data"))
    args = parser.parse_args(argv)
    store = Store(args.data)
    server = ThreadingHTTPServer(
        (args.host, args.port), make_handler(store, [Webhook(s) for s in args.secret])
    )
    print(f"storefront listening on http://{args.host}:{args.port}/webhooks", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
