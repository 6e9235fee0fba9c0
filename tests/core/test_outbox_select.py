"""core's set-based outbox write (outbox_emit_select): one event per row in primary key order,
the payload built by the database with occurred_at added, the outbox hooks run with the rows
written, as outbox_emit does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F, Value

from andon.core import services as core
from andon.core.models import OutboxEvent
from andon.orders.models import Customer

pytestmark = pytest.mark.django_db


def test_one_event_per_row_in_order_with_the_hooks_run(monkeypatch):
    custs = [Customer.objects.create(external_id=f"ob-{i}", name=f"N{i}") for i in range(3)]
    seen: list[list[OutboxEvent]] = []
    monkeypatch.setattr(core, "_outbox_hooks", [seen.append])
    at = dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC)
    written = core.outbox_emit_select(
        at=at,
        event_type="customer.noticed",
        rows=Customer.objects.filter(pk__in=[c.pk for c in custs]).order_by("-pk"),
        payload={"customer": F("external_id"), "kind": Value("test")},
    )
    rows = list(OutboxEvent.objects.order_by("id"))
    assert [r.pk for r in rows] == [w.pk for w in written]
    assert [r.payload for r in rows] == [
        {"customer": f"ob-{i}", "kind": "test", "occurred_at": at.isoformat()} for i in range(3)
    ]
    assert {(r.event_type, r.occurred_at, r.product_sku, r.product_sequence) for r in rows} == {
        ("customer.noticed", at, "", None)
    }
    assert [[e.pk for e in batch] for batch in seen] == [[r.pk for r in rows]]
    assert [e.payload for e in seen[0]] == [r.payload for r in rows]


def test_no_rows_no_events_no_hooks(monkeypatch):
    seen: list[list[OutboxEvent]] = []
    monkeypatch.setattr(core, "_outbox_hooks", [seen.append])
    at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    assert (
        core.outbox_emit_select(
            at=at, event_type="x", rows=Customer.objects.none(), payload={"a": F("pk")}
        )
        == []
    )
    assert not OutboxEvent.objects.exists() and seen == []
