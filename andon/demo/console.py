"""What the command prints: the people to sign in as and how to play the story."""

from __future__ import annotations

import unicodedata

from .people import PASSWORD, people
from .story import CUSTOMERS, NOTE, SKU, TITLE


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def users_table() -> str:
    rows = [("user 用户", "name 姓名", "role 角色", "team 组", "password 密码")]
    rows += [(p.username, p.display_name, p.role, p.team, PASSWORD) for p in people()]
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def story_hint() -> str:
    names = dict((ext, name) for ext, name, _ in CUSTOMERS)
    return "\n".join(
        [
            "Try the story / 试一试:",
            "  1. andon serve, open http://127.0.0.1:8000/ and sign in as agent1 / " + PASSWORD,
            f"  2. customer {names['cust-a']} (cust-a), order order-a line 1: record "
            f"印刷/装订缺陷 (print-defect) \u201c{NOTE}\u201d",
            f"  3. as agent2: {names['cust-b']} (cust-b), order-b line 1, same reason; then open "
            f"《{TITLE}》 ({SKU}), pull the andon: \u201c{NOTE}\u201d, confirm",
            "  4. vendor1 and warehouse1 work their work orders, confirmer1 confirms them: "
            "the book sells again",
            "  API: andon token create agent1   (prints a bearer token for /api/v1)",
        ]
    )
