"""GET /api/v1/integrity/signals with filters, PATCH for the lifecycle: team leads and
admins only, bad input named by field, every decision audited."""

from __future__ import annotations

import pytest
from django.utils import timezone

from andon.core.models import AuditEntry
from andon.integrity.models import Signal, SignalDecision

pytestmark = pytest.mark.django_db


@pytest.fixture
def signals(world):
    now = timezone.now()
    common = {"first_seen": now, "last_seen": now}
    return [
        Signal.objects.create(
            kind="customer-fraud",
            subject_type="customer",
            subject="cust-f",
            score=0.8,
            reasons=[
                {
                    "code": "fraud.claims",
                    "params": {"claims": 7, "orders": 8, "products": 7, "population": 4.1},
                }
            ],
            evidence={"claims": 7},
            **common,
        ),
        Signal.objects.create(
            kind="staff-misuse",
            subject_type="agent",
            subject="agent2",
            score=0.55,
            reasons=[
                {
                    "code": "misuse.invalid",
                    "params": {"invalid": 6, "reviewed": 10, "rate": 60, "team": 2.0},
                }
            ],
            evidence={},
            **common,
        ),
    ]


def test_team_leads_list_and_filter_signals_with_reasons_in_their_language(api, signals):
    r = api.call("GET", "/integrity/signals", "lead1")
    assert r.status_code == 200, r.content
    body = r.json()["signals"]
    assert [s["subject"] for s in body] == ["cust-f", "agent2"]
    assert body[0]["reasons"] == [
        "7 claims on 8 delivered orders, about 7 different products (population: 4.1 claims "
        "per 100 orders)."
    ]
    assert set(body[0]) == {
        "id",
        "subject_type",
        "subject",
        "kind",
        "score",
        "reasons",
        "evidence",
        "status",
        "first_seen",
        "last_seen",
    }
    r = api.call("GET", "/integrity/signals?kind=staff-misuse&min_score=0.5&status=open", "lead1")
    assert [s["subject"] for s in r.json()["signals"]] == ["agent2"]
    r = api.call("GET", "/integrity/signals?subject_type=customer&min_score=0.9", "lead1")
    assert r.json()["signals"] == []
    r = api.call("GET", "/integrity/signals", "lead1", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "7" in r.json()["signals"][0]["reasons"][0]
    assert "delivered" not in r.json()["signals"][0]["reasons"][0]


def test_agents_and_integrators_may_not_read_signals(api, signals):
    for who in ("agent1", "integrator"):
        r = api.call("GET", "/integrity/signals", who)
        assert r.status_code == 403
        assert r["Content-Type"].startswith("application/problem+json")
        r = api.call(
            "PATCH",
            f"/integrity/signals/{signals[0].pk}",
            who,
            {"status": "dismissed", "reason": "x"},
        )
        assert r.status_code == 403


@pytest.mark.parametrize(
    "query, field",
    [
        ("kind=bogus", "kind"),
        ("subject_type=robot", "subject_type"),
        ("min_score=2", "min_score"),
        ("min_score=high", "min_score"),
        ("status=closed", "status"),
    ],
)
def test_bad_filters_get_a_problem_naming_the_field(api, signals, query, field):
    r = api.call("GET", f"/integrity/signals?{query}", "lead1")
    assert r.status_code == 422, r.content
    assert field in r.content.decode()


def test_dismiss_and_confirm_are_audited_with_who_and_why(api, world, signals):
    s = signals[0]
    r = api.call(
        "PATCH",
        f"/integrity/signals/{s.pk}",
        "lead1",
        {"status": "dismissed", "reason": "reseller"},
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "dismissed"
    s.refresh_from_db()
    assert (s.status, s.decided_by, s.decision_reason) == (
        "dismissed",
        world.users["lead1"],
        "reseller",
    )
    d = SignalDecision.objects.get(signal=s)
    assert (d.status_from, d.status_to, d.actor) == ("open", "dismissed", world.users["lead1"])
    assert AuditEntry.objects.filter(
        action="integrity.signal_decided", subject_id=str(s.pk)
    ).exists()
    r = api.call(
        "PATCH",
        f"/integrity/signals/{s.pk}",
        "lead1",
        {"status": "confirmed", "reason": "refund ring"},
    )
    assert r.json()["status"] == "confirmed"
    assert SignalDecision.objects.filter(signal=s).count() == 2


@pytest.mark.parametrize(
    "body, field",
    [
        ({"status": "deleted", "reason": "x"}, "status"),
        ({"status": "dismissed"}, "reason"),
        ({"status": "dismissed", "reason": ""}, "reason"),
        ({"status": "dismissed", "reason": "   "}, "reason"),
        ({"status": "dismissed", "reason": "x" * 501}, "reason"),
        ({"status": "open", "reason": "again"}, "status"),
    ],
)
def test_bad_decisions_get_a_problem_naming_the_field(api, signals, body, field):
    r = api.call("PATCH", f"/integrity/signals/{signals[0].pk}", "lead1", body)
    assert r.status_code == 422, r.content
    assert field in r.content.decode()
    assert not SignalDecision.objects.exists()


def test_an_unknown_signal_is_a_404(api, signals):
    r = api.call(
        "PATCH", "/integrity/signals/999999", "lead1", {"status": "dismissed", "reason": "x"}
    )
    assert r.status_code == 404
    assert api.call("GET", "/integrity/signals/999999", "lead1").status_code == 404
