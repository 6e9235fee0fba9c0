"""Quality on a planted world: every kind of actor found (recall >= 0.8) with few false alarms
(precision >= 0.9), and no innocent look-alike named by any signal. Seeds differ from the
benchmark's (bench/integrity_quality.py), and no threshold was fitted to either."""

from __future__ import annotations

import pytest

from andon.integrity.models import Signal
from andon.integrity.rules import WORTH_A_LOOK
from andon.integrity.services import scan
from bench.integrity_world import build, evaluate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", [101, 202])
def test_each_kind_is_found_and_innocents_stay_quiet(seed):
    truth = build(seed, customers=800)
    scan()
    signals = list(
        Signal.objects.filter(score__gte=WORTH_A_LOOK).values_list(
            "kind", "subject_type", "subject"
        )
    )
    scores, innocents_named = evaluate(truth, signals)
    for s in scores:
        assert s.recall >= 0.8, (s, signals)
        assert s.precision >= 0.9, (s, signals)
    assert innocents_named == []


def test_every_signal_explains_itself_with_numbers_in_both_languages():
    from django.utils import translation

    from andon.integrity.selectors import reasons_text

    build(303, customers=400)
    scan()
    assert Signal.objects.exists()
    for s in Signal.objects.all():
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                texts = reasons_text(s)
            assert texts and all(any(ch.isdigit() for ch in t) for t in texts[:1]), texts
            assert not any(
                t.startswith(("fraud.", "cluster.", "misuse.", "system.")) for t in texts
            )
