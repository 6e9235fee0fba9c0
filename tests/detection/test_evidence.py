"""The third round's evidence: the bilingual defect vocabulary, traditional characters, the
repeat reporter's cue, the product-centred cosine, and the per-process vector cache."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from andon.detection import assign, embedding, rules
from andon.detection.concepts import concepts_of
from andon.detection.text import lexical_of, normalize

T0 = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)


def test_one_defect_in_two_languages_shares_a_concept_and_two_defects_do_not():
    zh, en = concepts_of(normalize("杯盖漏水，包里全湿了")), concepts_of(normalize("lid leaks"))
    assert "leak" in zh & en
    small, mismatch = (
        concepts_of(normalize("鞋码偏小，平时穿42的这双挤脚")),
        concepts_of(normalize("两只鞋尺码不一样，左脚42右脚43")),
    )
    assert small and mismatch and not small & mismatch


def test_traditional_characters_and_full_width_digits_read_as_simplified_and_ascii():
    assert normalize("拉鏈壞了，第１２０頁") == "拉链坏了,第120页"
    assert lexical_of("第１２０頁沒印").numbers == lexical_of("page 120 blank").numbers


def test_a_repeat_reporter_saying_it_again_is_evidence_only_with_the_same_customer():
    v = np.array([1.0, 0.0])
    first = rules.Report(1, 7, 1, T0, lexical_of("blank pages 33-48"), v)
    again = rules.Report(2, 7, 1, T0 + dt.timedelta(days=1), lexical_of("called again re it"), v)
    other = rules.Report(3, 8, 1, T0 + dt.timedelta(days=1), lexical_of("called again re it"), v)
    col = rules.FEATURES.index("same_customer_follow_up")
    assert rules.pair_features(again, [first])[0][0, col] == 1.0
    assert rules.pair_features(other, [first])[0][0, col] == 0.0


def test_the_centred_cosine_is_the_cosine_after_taking_out_each_languages_mean():
    g = np.random.default_rng(7)
    vecs = g.standard_normal((6, 8))
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    texts = ["漏水了", "leaks", "盖子漏", "drips", "底部漏水", "water everywhere"]
    reps = [
        rules.Report(i + 1, i + 1, 1, T0 + dt.timedelta(hours=i), lexical_of(t), vecs[i])
        for i, t in enumerate(texts)
    ]
    report, members = reps[-1], reps[:-1]
    x, _ = rules.pair_features(report, members)
    got = x[:, rules.FEATURES.index("centred_similarity")]
    zh = np.array([m.lexical.language == "zh" for m in members])
    # Directly: the report (English) counts towards the English mean.
    mu_zh = vecs[:5][zh].sum(0) / (zh.sum() + rules.CENTRE_PRIOR)
    mu_en = (vecs[:5][~zh].sum(0) + vecs[5]) / ((~zh).sum() + 1 + rules.CENTRE_PRIOR)
    r = vecs[5] - mu_en
    want = [
        float((m - (mu_zh if z else mu_en)) @ r)
        / (np.linalg.norm(m - (mu_zh if z else mu_en)) * np.linalg.norm(r))
        for m, z in zip(vecs[:5], zh, strict=True)
    ]
    assert np.allclose(got, want, atol=1e-9)


@pytest.mark.django_db
def test_a_text_seen_before_is_not_encoded_again(catalogue, monkeypatch):
    monkeypatch.setenv("ANDON_DETECTION_MODEL", "on")
    calls: list[list[str]] = []
    unit = np.ones((1, embedding.DIM), dtype=np.float32) / np.sqrt(embedding.DIM)

    def fake_vectors(texts, *, wait):
        calls.append(list(texts))
        return np.repeat(unit, len(texts), axis=0)

    monkeypatch.setattr(embedding, "vectors", fake_vectors)
    monkeypatch.setattr(assign, "_vectors", {})
    product = catalogue.product("BK-CACHE")
    catalogue.report(product, "第56页掉出来了")
    catalogue.report(product, "第56页掉出来了")
    assert calls == [["第56页掉出来了"]]
