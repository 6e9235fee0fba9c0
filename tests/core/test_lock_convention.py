"""Locks in one place: the listing lock (the first of every write that must not interleave
with the cord) is taken through andon.catalog.locks and nowhere else, and no selector ever
locks (locking is a write's concern)."""

from __future__ import annotations

import re
from pathlib import Path

ANDON = Path(__file__).resolve().parents[2] / "andon"


def _sources() -> dict[str, str]:
    return {
        str(p.relative_to(ANDON.parent)): p.read_text()
        for p in ANDON.rglob("*.py")
        if "migrations" not in p.parts
    }


def test_no_selector_takes_a_lock():
    locking = [
        f
        for f, text in _sources().items()
        if f.endswith("selectors.py") and ("select_for_update" in text or "for_update" in text)
    ]
    assert locking == []


def test_the_listing_lock_is_taken_by_catalog_locks_only():
    listing = re.compile(r"Product\.objects\.select_for_update|Product\)\.select_for_update")
    elsewhere = [
        f
        for f, text in _sources().items()
        if listing.search(text) and f != "andon/catalog/locks.py"
    ]
    assert elsewhere == []
