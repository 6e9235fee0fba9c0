"""The `andon-history` import kind: past pulls become closed andons with their own times,
counted in reviews (the KPIs), the bonus ledger and the integrity signals; no listing change,
no holds, no work orders, no outbound event; idempotent; bad rows named by field."""

from __future__ import annotations

import pytest

from andon.catalog.models import Product
from andon.core.models import OutboxEvent
from andon.holds.models import Hold
from andon.incentives.models import BonusCredit
from andon.pulls.models import Andon
from andon.reviews.models import PullReview
from andon.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

SKU = "9787549529322"


def _imp(api, kind, rows):
    r = api.call("POST", f"/imports/{kind}", "integrator", rows)
    assert r.status_code == 200, r.content
    return r.json()


@pytest.fixture
def past(api, world):
    _imp(api, "products", [{"sku": SKU, "title": "看见", "price": "39.80"}])
    _imp(api, "customers", [{"external_id": "c1", "name": "A"}, {"external_id": "c2", "name": "B"}])
    _imp(
        api,
        "orders",
        [
            {
                "order": f"O{i}",
                "customer": f"c{i}",
                "placed_at": "2025-01-02T10:00:00+08:00",
                "line_no": 1,
                "sku": SKU,
                "status": "delivered",
            }
            for i in (1, 2)
        ],
    )
    _imp(
        api,
        "contacts",
        [
            {
                "external_id": f"K{i}",
                "customer": f"c{i}",
                "order": f"O{i}",
                "line_no": 1,
                "reason": "print-defect",
                "text": "100-101页没有裁开",
                "created_at": "2025-01-05T10:00:00+08:00",
                "agent": "agent1",
            }
            for i in (1, 2)
        ],
    )


ROWS = [
    {
        "sku": SKU,
        "reason": "print-defect",
        "note": "100-101页未裁开",
        "agent": "agent1",
        "pulled_at": "2025-01-05T11:00:00+08:00",
        "evidence": "K1, K2",
        "verdict": "valid",
        "reviewer": "lead1",
        "reviewed_at": "2025-01-06T09:00:00+08:00",
    },
    {
        "sku": SKU,
        "reason": "wrong-item",
        "note": "发错货",
        "agent": "agent2",
        "pulled_at": "2025-02-01T11:00:00+08:00",
        "evidence": "K2",
        "verdict": "invalid",
        "root_cause": "training",
        "reviewer": "lead2",
        "reviewed_at": "2025-02-02T09:00:00+08:00",
    },
]


def test_past_pulls_are_closed_andons_counted_in_reviews_and_bonuses(api, past):
    listing_before = Product.objects.get(sku=SKU).listing_status
    events_before = OutboxEvent.objects.count()
    assert _imp(api, "andon-history", ROWS) == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": [],
    }
    a = Andon.objects.get(note="100-101页未裁开")
    assert a.state == "closed" and a.opened_at.year == 2025
    assert sorted(a.evidence.values_list("external_id", flat=True)) == ["K1", "K2"]
    assert PullReview.objects.get(andon=a).verdict == "valid"
    credit = BonusCredit.objects.get(andon=a)
    assert credit.credited_at.year == 2025
    assert PullReview.objects.get(andon__note="发错货").root_cause == "training"
    assert not BonusCredit.objects.filter(andon__note="发错货").exists()
    assert Product.objects.get(sku=SKU).listing_status == listing_before
    assert not Hold.objects.exists() and not WorkOrder.objects.exists()
    assert OutboxEvent.objects.count() == events_before
    assert _imp(api, "andon-history", ROWS)["unchanged"] == 2
    assert Andon.objects.count() == 2


@pytest.mark.parametrize(
    "change, field",
    [
        ({"sku": "nope"}, "sku"),
        ({"agent": "ghost"}, "agent"),
        ({"evidence": "K1 K9"}, "evidence"),
        ({"pulled_at": "2999-01-01T00:00:00Z"}, "pulled_at"),
        ({"verdict": "invalid", "root_cause": None}, "root_cause"),
        ({"reviewer": None}, "reviewer"),
        ({"reviewed_at": "2024-01-01T00:00:00Z"}, "reviewed_at"),
        ({"verdict": "maybe"}, "verdict"),
    ],
)
def test_bad_history_rows_are_named(api, past, change, field):
    row = {**ROWS[0], **change}
    body = _imp(api, "andon-history", [row])
    assert [x["field"] for x in body["rejected"]] == [field], body
    assert not Andon.objects.exists()
