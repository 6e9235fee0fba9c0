"""The connector's settings, with their defaults.

ANDON_URL, ANDON_TOKEN          Andon's address and the desk's own token (an Andon user with the
                                agent role): contacts of tickets without a known agent.
ANDON_WEBHOOK_SECRET(S)         the signing secret(s) of the Andon webhook endpoint of the desk.
ANDON_REASONS                   {"queues": {queue slug: reason code}, "tags": {tag: reason code},
                                "default": reason code or ""}: a ticket's reason. Tags are the
                                ticket's #words (title or description) and its custom field
                                `tags` (comma-separated); a tag wins over the queue.
ANDON_FIELDS                    custom field names read first: {"order": "order", "line":
                                "line", "sku": "sku", "customer": "customer"}.
ANDON_PATTERNS                  regular expressions on title + description otherwise (one
                                group each): order, line, sku.
ANDON_TIMEOUT                   seconds per request to Andon (default 5).
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings

# A value must carry a digit (an order may instead carry a hyphen, "order-a"), so that
# "ordered", "order is late" or "product is damaged" name nothing.
DEFAULT_PATTERNS = {
    "order": r"(?i)\border\b\s*(?:no\.?|number|#)?\s*[:#]?\s*((?=[\w-]*[\d-])[A-Za-z0-9][\w-]*)",
    "line": r"(?i)\bline\b\s*(?:no\.?|#)?\s*[:#]?\s*(\d{1,5})\b",
    "sku": r"(?i)\b(?:sku|isbn|product)\b\s*(?:#|:)?\s*((?=[\w-]*\d)[0-9A-Za-z][\w-]*)",
}
DEFAULT_FIELDS = {"order": "order", "line": "line", "sku": "sku", "customer": "customer"}


def get(name: str, default: Any = None) -> Any:
    return getattr(settings, name, default)


def url() -> str:
    return (get("ANDON_URL") or "").rstrip("/")


def token() -> str:
    return get("ANDON_TOKEN") or ""


def timeout() -> float:
    return float(get("ANDON_TIMEOUT", 5))


def secrets() -> list[str]:
    raw = get("ANDON_WEBHOOK_SECRETS") or [get("ANDON_WEBHOOK_SECRET", "")]
    return [s for s in raw if s]


def reasons() -> dict[str, Any]:
    r = get("ANDON_REASONS") or {}
    return {"queues": r.get("queues", {}), "tags": r.get("tags", {}), "default": r.get("default")}


def fields() -> dict[str, str]:
    return {**DEFAULT_FIELDS, **(get("ANDON_FIELDS") or {})}


def patterns() -> dict[str, re.Pattern[str]]:
    return {
        k: re.compile(v) for k, v in {**DEFAULT_PATTERNS, **(get("ANDON_PATTERNS") or {})}.items()
    }
