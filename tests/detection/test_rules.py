"""Detection's rules, without a database: the lexical evidence, the decision, the rate test."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from andon.detection import complaint_rate, rules
from andon.detection.text import label_from, language_of, lexical_of, normalize

T0 = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)


def report(cid: int, text: str, *, reason: int = 1, customer: int | None = None, days=0, vec=None):
    return rules.Report(
        contact_id=cid,
        customer_id=customer or cid,
        reason_id=reason,
        at=T0 + dt.timedelta(days=days),
        lexical=lexical_of(text),
        vector=vec,
        has_text=bool(text.strip()),
    )


def test_chinese_numbers_become_digits_so_page_100_meets_一百():
    assert normalize("一百到一百零一页之间没拆开") == "100到101页之间没拆开"
    assert lexical_of("第100页和101页没有裁开").numbers == {"100", "101"}
    assert lexical_of("Pages 100-101 uncut").numbers == {"100", "101"}
    # A lone 一 is a word, not a number.
    assert lexical_of("用了一次就坏了").numbers == frozenset()


def test_english_words_meet_despite_a_typo():
    a, b = lexical_of("the kettle is leaking"), lexical_of("kettle leakng from the base")
    assert rules._overlap(a.grams, b.grams) > 0.3


def test_language_and_label_in_the_customers_words():
    assert language_of("100-101页未裁开") == "zh"
    assert language_of("pages stuck together") == "en"
    assert label_from("第100页和101页没有裁开，连在一起") == "第100页和101页没有裁开"
    assert label_from("A" * 10 + " " + "b" * 70).endswith("…")


def test_a_report_joins_the_problem_whose_members_it_resembles():
    v = np.array([1.0, 0.0, 0.0])
    w = np.array([0.0, 1.0, 0.0])
    leak = rules.Candidate(1)
    leak.add(report(1, "水壶漏水", vec=v))
    lid = rules.Candidate(2)
    lid.add(report(2, "盖子合不上", vec=w))
    choice = rules.choose(report(3, "kettle leaks", vec=v * 0.99 + w * 0.01), [leak, lid])
    assert (choice.key, choice.method, choice.matched_contact_id) == (1, "embedding", 1)
    assert choice.score >= rules.SAME_PROBLEM


def test_an_unlike_report_opens_a_problem_of_its_own():
    leak = rules.Candidate(1)
    leak.add(report(1, "水壶漏水", vec=np.array([1.0, 0.0])))
    choice = rules.choose(report(2, "what is the warranty", vec=np.array([0.0, 1.0])), [leak])
    assert choice.key is None


def test_problems_outside_the_window_are_not_candidates():
    v = np.array([1.0, 0.0])
    old = rules.Candidate(1)
    old.add(report(1, "水壶漏水", vec=v))
    later = report(2, "水壶漏水", vec=v, days=rules.WINDOW_DAYS + 1)
    assert rules.choose(later, [old]).key is None


def test_without_text_the_reason_code_decides():
    a, b = rules.Candidate(1), rules.Candidate(2)
    a.add(report(1, "漏水", reason=7))
    b.add(report(2, "盖子", reason=8, days=1))
    assert rules.choose(report(3, "", reason=8, days=2), [a, b]) == rules.Choice(
        2, "reason", 1.0, 2, 0.0
    )
    assert rules.choose(report(4, "", reason=9, days=2), [a, b]).key is None


def test_without_vectors_the_lexical_evidence_decides():
    page = rules.Candidate(1)
    page.add(report(1, "第100页和101页没有裁开"))
    choice = rules.choose(report(2, "100-101页未裁开"), [page])
    assert choice.method == "lexical" and choice.key == 1


def test_corrected_members_are_kept_when_a_problem_is_full():
    c = rules.Candidate(1)
    pinned = rules.Report(1, 1, 1, T0, lexical_of("x"), None, True, True)
    c.add(pinned)
    for i in range(2, rules.MEMBERS_PER_PROBLEM + 5):
        c.add(report(i, "y", days=i / 100))
    assert len(c.members) == rules.MEMBERS_PER_PROBLEM and c.members[0] is pinned


def test_poisson_upper_tail():
    assert complaint_rate.poisson_upper_tail(0, 3.0) == 1.0
    assert complaint_rate.poisson_upper_tail(1, 2.0) == pytest.approx(1 - np.exp(-2.0))
    assert complaint_rate.poisson_upper_tail(10, 2.0) == pytest.approx(4.6498e-5, rel=1e-3)
    assert (
        0 < complaint_rate.poisson_upper_tail(200, 1.0) < 1e-300
        or complaint_rate.poisson_upper_tail(200, 1.0) == 0
    )


def test_a_spike_is_an_alert_and_a_fixed_percentage_is_not_the_rule():
    spike = complaint_rate.complaint_rate_test(
        complainers=12, units=200, others_complainers=50, others_units=50_000, tested=100
    )
    assert spike.alert and spike.p_value < 1e-6
    # The same rate on few units: not enough evidence (minimum count).
    few = complaint_rate.complaint_rate_test(
        complainers=2, units=33, others_complainers=50, others_units=50_000, tested=100
    )
    assert few.rate > spike.rate * 0.9 and not few.alert
    # At the catalogue's own rate: noise.
    steady = complaint_rate.complaint_rate_test(
        complainers=5, units=5_000, others_complainers=50, others_units=50_000, tested=100
    )
    assert not steady.alert
