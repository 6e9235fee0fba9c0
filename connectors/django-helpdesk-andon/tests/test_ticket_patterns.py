"""The default patterns that find the order, line and product a ticket names in its words
(custom fields come first; ANDON_PATTERNS replaces these)."""

from __future__ import annotations

import re

import pytest
from andon_helpdesk.conf import DEFAULT_PATTERNS

P = {k: re.compile(v) for k, v in DEFAULT_PATTERNS.items()}


def names(text: str) -> dict[str, str | None]:
    return {k: (m.group(1) if (m := p.search(text)) else None) for k, p in P.items()}


@pytest.mark.parametrize(
    ("text", "order", "line", "sku"),
    [
        ("Order order-a line 1: pages 100-101 are not cut.", "order-a", "1", None),
        ("Order #100001 ISBN 9787549529322", "100001", None, "9787549529322"),
        ("order number: 100001, line #2", "100001", "2", None),
        ("product is damaged, SKU: 9787020002207", None, None, "9787020002207"),
        ("I ordered the book, my order is late, online", None, None, None),
    ],
)
def test_default_patterns(text, order, line, sku):
    assert names(text) == {"order": order, "line": line, "sku": sku}
