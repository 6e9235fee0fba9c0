"""The Integrity page, a signal's detail with dismiss/confirm, the signals in the pull review,
and the agent's neutral note (Django's test client; the browser test is next door)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from andon.integrity.models import Signal, SignalDecision
from andon.integrity.services import scan
from bench.integrity_world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def planted():
    truth = build(707, customers=800)
    scan()
    return truth


def _client(username: str, *groups: str, lang: str = "en") -> Client:
    user, _ = User.objects.get_or_create(username=username)
    user.groups.add(*(Group.objects.get_or_create(name=g)[0] for g in groups))
    c = Client(headers={"accept-language": lang})
    c.force_login(user)
    return c


def test_team_leads_filter_signals_and_see_measured_precision(planted):
    lead = _client("w-lead0")
    body = lead.get("/integrity/").content.decode()
    assert "Customer fraud" in body and "Measured precision" in body
    assert "w-agent04" in body  # the agent with the invalid pulls
    body = lead.get("/integrity/?kind=system-error").content.decode()
    assert "w-sync-bot" in body and "w-agent04" not in body
    # Bad filter values fall back to the defaults instead of failing.
    assert lead.get("/integrity/?min_score=lots&kind=nope").status_code == 200
    zh = _client("w-lead0", lang="zh-hans").get("/integrity/").content.decode()
    assert "顾客欺诈" in zh and "已签收订单" in zh


def test_dismiss_and_confirm_from_the_signal_page_measure_precision(planted):
    lead = _client("w-lead0")
    fraud = list(Signal.objects.filter(kind="customer-fraud").order_by("pk")[:2])
    page = lead.get(f"/integrity/signals/{fraud[0].pk}/").content.decode()
    assert "Evidence" in page and "delivered_orders" in page
    r = lead.post(f"/integrity/signals/{fraud[0].pk}/decide", {"status": "confirmed"})
    assert r.status_code == 422 and "Say why" in r.content.decode()
    r = lead.post(
        f"/integrity/signals/{fraud[0].pk}/decide", {"status": "confirmed", "reason": "refund ring"}
    )
    assert r.status_code == 302
    lead.post(f"/integrity/signals/{fraud[1].pk}/decide", {"status": "dismissed", "reason": "ok"})
    assert SignalDecision.objects.count() == 2
    body = lead.get("/integrity/").content.decode()
    assert "50%" in body  # one confirmed, one dismissed
    assert "refund ring" in lead.get(f"/integrity/signals/{fraud[0].pk}/").content.decode()


def test_agents_do_not_see_the_page_but_get_a_neutral_note(planted):
    agent = _client("w-agent00", "agent")
    assert agent.get("/integrity/").status_code == 403
    fraudster = Signal.objects.filter(kind="customer-fraud").first().subject
    page = agent.get(f"/customers/{fraudster}/").content.decode()
    assert "routine review" in page and "fraud" not in page.lower()
    assert "routine review" not in agent.get("/customers/R00700/").content.decode()


def test_the_pull_review_shows_the_reporters_and_the_signals(planted):
    (andon_id,) = planted.sabotaged_andons
    from andon.pulls.models import Andon

    andon = Andon.objects.get(pk=andon_id)
    lead = _client(andon.team_lead.username, "team_lead")
    body = lead.get("/reviews/").content.decode()
    assert f"ANDON-{andon_id}" in body
    assert "registered less than 14 days before their report and share" in body


def test_the_monday_review_counts_open_signals_per_kind(planted):
    lead = _client("w-lead0", "team_lead")
    body = lead.get("/reviews/monday/").content.decode()
    assert 'id="integrity-summary"' in body and "?kind=customer-fraud" in body


def test_a_targeted_product_shows_its_clusters_to_leads_not_to_agents(planted):
    s = Signal.objects.filter(subject_type="product", current=True).first()
    assert s is not None and s.kind == "account-cluster"
    clusters = Signal.objects.filter(subject_type="account-cluster", evidence__product=s.subject)
    assert set(s.evidence["clusters"]) == {c.subject for c in clusters}
    body = _client("w-lead0").get(f"/products/{s.subject}/").content.decode()
    assert "data-product-signals" in body and f"/integrity/signals/{s.pk}" in body
    assert "organised campaign" in body
    body = _client("w-agent05").get(f"/products/{s.subject}/").content.decode()
    assert "data-product-signals" not in body
