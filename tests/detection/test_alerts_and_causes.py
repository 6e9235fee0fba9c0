"""Complaint-rate alerts (a planted spike alerts, steady noise does not; the outbox tells) and
shared causes (two products of one printer's batches are shown together)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from andon.core.models import OutboxEvent
from andon.detection.alerts import problem_alerts_scan
from andon.detection.models import AlertState, ProblemAlert

pytestmark = pytest.mark.django_db


def steady_catalogue(catalogue, n_products: int = 20, units: int = 40, complaints: int = 1):
    """Products selling `units` each with `complaints` complaining customers: the baseline."""
    products = []
    for i in range(n_products):
        p = catalogue.product(f"STEADY-{i}", title=f"steady {i}", gmv="0")
        for _ in range(units - complaints):
            catalogue.delivered(p)
        for _ in range(complaints):
            catalogue.report(p, "咨询发货时间", reason="other")
        products.append(p)
    return products


def test_a_planted_spike_alerts_and_steady_noise_does_not(api, catalogue):
    steady_catalogue(catalogue)
    spike = catalogue.product("SPIKE", title="电热水壶", gmv="850000")
    spike.price = 0  # no GMV-implied units: the delivered lines are the denominator
    spike.save()
    for _ in range(30):
        catalogue.delivered(spike)
    for _ in range(8):
        catalogue.report(spike, "壶底漏水", reason="other")

    scan = problem_alerts_scan()

    assert (scan.raised, scan.cleared) == (1, 0) and scan.tested == 21
    alert = ProblemAlert.objects.get(state=AlertState.OPEN)
    assert alert.product.sku == "SPIKE" and alert.complainers == 8 and alert.units == 38
    assert alert.p_value < 0.01 / 21 and alert.rate > 5 * alert.baseline
    event = OutboxEvent.objects.get(event_type="problem.alerted")
    assert event.payload["sku"] == "SPIKE" and event.payload["complainers"] == 8

    body = api.call("GET", "/problem-alerts", "agent1").json()
    assert [a["sku"] for a in body["alerts"]] == ["SPIKE"]
    assert len(body["alerts"][0]["trend"]) == 8 and body["alerts"][0]["trend"][-1] == 8

    # A second scan refreshes, it does not raise again.
    assert problem_alerts_scan().raised == 0
    assert OutboxEvent.objects.filter(event_type="problem.alerted").count() == 1


def test_steady_noise_raises_nothing(catalogue):
    steady_catalogue(catalogue, complaints=2)
    assert problem_alerts_scan().raised == 0
    assert not ProblemAlert.objects.exists()


def test_an_alert_clears_when_the_spike_falls_out_of_the_window(catalogue):
    steady_catalogue(catalogue)
    spike = catalogue.product("SPIKE", gmv="0")
    for _ in range(30):
        catalogue.delivered(spike)
    for _ in range(8):
        catalogue.report(spike, "壶底漏水", reason="other")
    problem_alerts_scan()
    later = timezone.now() + dt.timedelta(days=40)
    assert problem_alerts_scan(now=later).cleared == 1
    assert ProblemAlert.objects.get().state == AlertState.CLEARED


def test_two_products_of_one_printer_are_a_shared_cause(api, catalogue, model):
    a = catalogue.product("BOOK-A", title="红楼梦", manufacturer="桂林广大印务", batch="P7")
    b = catalogue.product("BOOK-B", title="百年孤独", manufacturer="桂林广大印务", batch="Q2")
    other = catalogue.product("BOOK-C", title="三体", manufacturer="南宁华彩印务")
    catalogue.report(a, "第45页印刷模糊，字有重影")
    catalogue.report(b, "page 45 blurry, ink smudged")
    catalogue.report(other, "封面折了")

    causes = api.call("GET", "/shared-causes", "agent1").json()["causes"]

    printer = [c for c in causes if c["kind"] == "manufacturer"]
    assert len(printer) == 1 and printer[0]["value"] == "桂林广大印务"
    assert {p["sku"]: p["batches"] for p in printer[0]["products"]} == {
        "BOOK-A": ["P7"],
        "BOOK-B": ["Q2"],
    }
    # The warehouse is shared by all three: shown too, as a wider origin.
    assert any(c["kind"] == "warehouse" and len(c["products"]) == 3 for c in causes)
