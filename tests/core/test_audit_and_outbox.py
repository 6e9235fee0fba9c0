"""core's audit_and_outbox: the audit entries and the events in one write, each product's
events numbered after its last ones (on PostgreSQL by the INSERT itself), the same rows as
audit_record then outbox_emit would write."""

from __future__ import annotations

import datetime as dt

import pytest

from andon.core import services as core
from andon.core.models import AuditEntry, OutboxEvent

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC)


def _stored() -> list[tuple]:
    return [
        (e.event_type, e.product_sku, e.product_sequence, e.payload)
        for e in OutboxEvent.objects.order_by("id")
    ]


def test_events_are_numbered_per_product_after_the_last_ones(monkeypatch):
    seen: list[list[OutboxEvent]] = []
    monkeypatch.setattr(core, "_outbox_hooks", [seen.append])
    core.outbox_emit(at=AT, events=[core.Event("a.before", {"n": 0}, product_sku="SKU-A")])
    written = core.audit_and_outbox(
        actor_id=None,
        at=AT,
        entries=[core.Audit("a.did", "thing", 7, None, {"k": "值"})],
        events=[
            core.Event("a.one", {"n": 1}, product_sku="SKU-A"),
            core.Event("b.one", {"n": 2}, product_sku="SKU-B"),
            core.Event("plain", {"n": 3}),
            core.Event("a.two", {"n": 4}, product_sku="SKU-A"),
        ],
    )
    at = AT.isoformat()
    assert _stored() == [
        ("a.before", "SKU-A", 1, {"n": 0, "occurred_at": at, "sequence": 1}),
        ("a.one", "SKU-A", 2, {"n": 1, "occurred_at": at, "sequence": 2}),
        ("b.one", "SKU-B", 1, {"n": 2, "occurred_at": at, "sequence": 1}),
        ("plain", "", None, {"n": 3, "occurred_at": at}),
        ("a.two", "SKU-A", 3, {"n": 4, "occurred_at": at, "sequence": 3}),
    ]
    # The rows given back (and to the hooks) are the rows stored.
    assert [(w.event_type, w.product_sku, w.product_sequence, w.payload) for w in written] == (
        _stored()[1:]
    )
    assert [w.pk for w in written] == list(
        OutboxEvent.objects.order_by("id").values_list("pk", flat=True)[1:]
    )
    assert seen[-1] == written
    audit = AuditEntry.objects.get()
    assert (audit.action, audit.subject_id, audit.data, audit.occurred_at) == (
        "a.did",
        "7",
        {"k": "值"},
        AT,
    )
