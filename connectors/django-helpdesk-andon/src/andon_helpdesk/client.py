"""A small client for Andon's API (urllib: no dependency beyond Django)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from . import conf


class AndonError(Exception):
    """Andon answered with an error (status >= 400), or did not answer (status 0)."""

    def __init__(self, status: int, detail: str, body: dict | None = None) -> None:
        super().__init__(f"{status}: {detail}")
        self.status, self.detail, self.body = status, detail, body or {}


def call(
    token: str,
    method: str,
    path: str,
    body: dict | None = None,
    *,
    query: dict | None = None,
    idempotency_key: str | None = None,
) -> Any:
    if not conf.url():
        raise AndonError(0, "ANDON_URL is not set")
    url = f"{conf.url()}/api/v1{path}"
    if query:
        url += "?" + urllib.parse.urlencode(query)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    data = None
    if method in ("POST", "PATCH", "PUT"):
        data = json.dumps(body or {}).encode()
        headers["Content-Type"] = "application/json"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=conf.timeout()) as r:
            raw = r.read()
    except urllib.error.HTTPError as e:
        try:
            problem = json.loads(e.read() or b"{}")
        except ValueError:
            problem = {}
        detail = problem.get("detail") or problem.get("title") or e.reason
        raise AndonError(e.code, str(detail), problem) from None
    except (OSError, ValueError) as e:  # refused, timed out, DNS
        raise AndonError(0, f"Andon did not answer ({e})") from None
    return json.loads(raw) if raw else None
