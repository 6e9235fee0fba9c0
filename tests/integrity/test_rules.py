"""The pure decisions: robust statistics, chance, and each rule's minimum counts."""

from __future__ import annotations

import pytest
from django.utils import translation

from andon.integrity import rules, sentences


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_weighted_median_and_mad_come_from_a_histogram():
    assert rules.weighted_median([(1.0, 1), (2.0, 1), (10.0, 1)]) == 2.0
    assert rules.weighted_median([(0.0, 98), (1.0, 2)]) == 0.0
    assert rules.weighted_median([(1.0, 2), (3.0, 2)]) == 2.0
    pop = rules.population_of([(0.1, 50), (0.2, 40), (0.9, 2)], floor=0.01)
    assert pop.median == pytest.approx(0.1) and pop.count == 92


def test_chance_tails():
    assert rules.poisson_tail(0, 1.0) == 1.0
    assert rules.poisson_tail(1, 1.0) == pytest.approx(1 - 2.718281828**-1, rel=1e-6)
    assert 0 < rules.poisson_tail(30, 0.1) < 1e-30
    assert rules.binomial_tail(6, 10, 0.05) == pytest.approx(2.78e-6, rel=0.05)
    # Benjamini-Hochberg: 3 small p-values among 1,000 tests are discoveries, a 0.01 is not.
    assert rules.fdr_cut([1e-6, 2e-5, 1e-4, 0.01], tested=1000) == 1e-4


def _pop(median=0.05, mad=0.02):
    return rules.Population(count=1000, median=median, mad=mad, floor=0.03)


def test_a_heavy_buyer_with_a_few_real_problems_is_no_fraudster():
    heavy = rules.CustomerStats("H", orders=80, claims=4, products=4, value=60, rate=0.05)
    assert not rules.fraud_candidate(heavy, _pop())


def test_one_bad_parcel_of_a_new_customer_is_below_the_minimum_count():
    new = rules.CustomerStats("N", orders=1, claims=1, products=1, value=20, rate=0.2)
    assert not rules.fraud_candidate(new, _pop())


def test_a_customer_claiming_on_most_orders_is_explained_with_numbers():
    s = rules.CustomerStats("F", orders=8, claims=7, products=7, value=400.0, rate=0.6)
    f = rules.customer_fraud(s, _pop(), _pop(median=1.0, mad=0.5), 0.04, cut=1e-4)
    assert f is not None and f.score >= rules.WORTH_A_LOOK
    assert [r.code for r in f.reasons][:3] == ["fraud.claims", "fraud.z", "fraud.chance"]
    assert "7 claims on 8 delivered orders" in sentences.sentence(
        f.reasons[0].code, f.reasons[0].params
    )


def test_a_household_of_long_time_customers_is_no_cluster():
    old = rules.ClusterReport("P1", ("A", "B"), ("address",), 0, 12, 3.0, (1, 2))
    assert rules.account_cluster(old) is None
    new = rules.ClusterReport("P1", ("A", "B", "C"), ("address", "device"), 2, 5, 3.0, (1, 2, 3))
    f = rules.account_cluster(new)
    assert f is not None and f.subject == "A,B,C" and f.score >= 0.5


def test_the_andon_note_says_how_many_reporters_are_new_and_share_something():
    e = rules.AndonEvidence(7, "P1", reporters=3, new_reporters=2, sharing=2, shared=("address",))
    f = rules.andon_evidence(e)
    assert f is not None
    text = sentences.sentence(f.reasons[0].code, f.reasons[0].params)
    assert text == (
        "2 of 3 reporters registered less than 14 days before their report and share an address."
    )


def test_a_top_agent_with_many_valid_pulls_and_most_of_the_bonus_is_quiet():
    top = rules.AgentStats(
        "top",
        reviewed=40,
        invalid=1,
        baseline_invalid_rate=0.03,
        andons=40,
        top_customers=(("c1", 1),),
        evidence_links=80,
        top_links=2,
        contacts=300,
        repeats=3,
        baseline_repeat_rate=0.02,
        bonus_share=0.7,
        team_size=6,
        tested=20,
    )
    assert rules.staff_misuse(top) is None


def test_an_agent_with_mostly_invalid_pulls_is_named_with_the_team_rate():
    s = rules.AgentStats("a", reviewed=10, invalid=6, baseline_invalid_rate=0.03, tested=20)
    f = rules.staff_misuse(s)
    assert f is not None and f.reasons[0].code == "misuse.invalid"


def test_bursts_need_many_products_even_when_imported():
    busy = rules.Burst("agent", "contacts", 12, 1, 9.0, 0, "t")
    assert rules.system_error(busy) is None
    bad_batch_sync = rules.Burst("bot", "contacts", 30, 1, 0.0, 30, "t")
    assert rules.system_error(bad_batch_sync) is None
    sync = rules.Burst("bot", "contacts", 30, 20, 0.0, 30, "t")
    assert rules.system_error(sync).reasons[0].code == "system.import"
    spray = rules.Burst("bot", "contacts", 20, 15, 4.0, 0, "t")
    assert rules.system_error(spray).reasons[0].code == "system.contacts"


def test_decisions_need_a_new_status_and_a_reason():
    assert rules.decision_problem("open", "dismissed", "ok") is None
    assert rules.decision_problem("open", "open", "x")[0] == "status"
    assert rules.decision_problem("open", "gone", "x")[0] == "status"
    assert rules.decision_problem("open", "confirmed", " ")[0] == "reason"


def test_bursts_count_only_where_people_do_not_burst():
    assert rules.bursts_are_unusual(1, 20)
    assert not rules.bursts_are_unusual(10, 20)
    kiosk = rules.Burst("kiosk", "pulls", 4, 4, 3.0, 0, "t")
    assert rules.system_error(kiosk).reasons[0].code == "system.pulls"
