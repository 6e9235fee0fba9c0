"""GET /api/v1/listing-events: a stable, gap-free cursor over listing changes."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection

from andon.core.models import OutboxEvent

from .conftest import subprocess_database_url
from .events import listing_events_emit
from .story import SKU, catalog_load, fix_and_relist, pull


@pytest.mark.django_db
def test_the_feed_pages_listing_changes_in_order_and_an_empty_page_keeps_the_cursor(api):
    catalog_load(api)
    andon = pull(api)
    fix_and_relist(api, andon)
    listing_events_emit(5, products=1)

    r = api.call("GET", "/listing-events?after=0&limit=4", "agent1")
    assert r.status_code == 200, r.content
    page = r.json()
    assert [(e["sku"], e["listing_status"]) for e in page["events"][:2]] == [
        (SKU, "suppressed"),
        (SKU, "active"),
    ]
    assert page["events"][0]["sequence"] < page["events"][1]["sequence"]
    assert set(page["events"][0]) >= {"sku", "listing_status", "sequence", "occurred_at"}
    rest = api.call("GET", f"/listing-events?after={page['next']}", "agent1").json()
    assert len(rest["events"]) == 3
    ids = [e["id"] for e in page["events"] + rest["events"]]
    assert ids == sorted(ids) and len(set(ids)) == 7
    # Only listing events: the pull's other events never show.
    assert {e["event_type"] for e in page["events"] + rest["events"]} <= {
        "listing.suppressed",
        "listing.relisted",
    }
    empty = api.call("GET", f"/listing-events?after={rest['next']}", "agent1").json()
    assert empty == {"events": [], "next": rest["next"]}


@pytest.mark.django_db
def test_a_bad_cursor_is_a_422_naming_the_field(api):
    r = api.call("GET", "/listing-events?after=abc", "agent1")
    assert r.status_code == 422 and r.json()["field"] == "after"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SQLite serialises writers, so ids always commit in order",
)
def test_an_event_committed_late_with_a_lower_id_is_not_skipped(api):
    """Transaction A takes an id, B takes a higher one and commits first: the feed must not
    hand out a cursor past A's id before A commits."""
    assert connection.vendor == "postgresql"
    slow = psycopg.connect(subprocess_database_url())
    table = OutboxEvent._meta.db_table
    row = slow.execute(
        f"INSERT INTO {table} (occurred_at, event_type, product_sku, product_sequence, payload)"
        " VALUES (now(), 'listing.suppressed', 'SKU-SLOW', 1,"
        ' \'{"listing_status": "suppressed"}\') RETURNING id'
    ).fetchone()
    slow_id = row[0]
    listing_events_emit(1, products=1)  # commits, with a higher id
    page = api.call("GET", "/listing-events?after=0", "agent1").json()
    assert page["events"] == [] and int(page["next"]) < slow_id

    slow.commit()
    slow.close()
    page = api.call("GET", f"/listing-events?after={page['next']}", "agent1").json()
    assert [e["sku"] for e in page["events"]] == ["SKU-SLOW", "SKU-0"]
