"""The batch replay (replay.py, imports and rebuilds) decides exactly as `rules.choose` over
`rules.Candidate`s does, one report after another (the online decision): the same problem,
method, score, matched contact and similarity for every report, to the last bit. Generated
sets exercise the window, the cut of CANDIDATE_REPORTS members, MEMBERS_PER_PROBLEM a problem
(and which member a full problem drops), corrections, reports without text or without a
vector, repeat reporters and members read before the replay starts."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

import numpy as np
import pytest

from andon.detection import embedding, rules
from andon.detection.assign import Incoming
from andon.detection.members import Seed
from andon.detection.models import Method
from andon.detection.replay import Replay
from bench import detection_quality
from bench.labelled import labelled_read

T0 = dt.datetime(2026, 9, 1, 8, tzinfo=dt.UTC)


class Reference:
    """The decision as online assignment takes it: rules.choose over the problems' members,
    each report then added with rules.Candidate.add (the replay before replay.py)."""

    def __init__(self, candidates: dict[int, rules.Candidate]) -> None:
        self.candidates = candidates
        self.next_key = -1

    def place(self, item: Incoming, vector, pinned_key: int | None = None) -> rules.Choice:
        report = item.report(vector, pinned=pinned_key is not None)
        if pinned_key is not None:
            choice = rules.Choice(pinned_key, Method.MANUAL, 1.0)
        else:
            choice = rules.choose(report, self.candidates.values())
        if choice.key is None:
            choice = dataclasses.replace(choice, key=self.next_key)
            self.next_key -= 1
        self.candidates.setdefault(choice.key, rules.Candidate(choice.key)).add(report)
        return choice


def _vectors(
    g: np.random.Generator, n: int, topics: int
) -> tuple[list[np.ndarray | None], np.ndarray]:
    """Unit vectors around a few topics, as stored (float16, unit float32 again), and each
    one's topic."""
    basis = g.standard_normal((topics, embedding.DIM))
    topic = g.integers(0, topics, n)
    raw = basis[topic] + 0.8 * g.standard_normal((n, embedding.DIM))
    stored = embedding.as_stored(raw.astype(np.float32))
    assert stored is not None
    return stored, topic


def _texts() -> list[str]:
    return [c.text for c in labelled_read("dev")]


def _generated(seed: int, n: int, *, days: float, topics: int, customers: int):
    g = np.random.default_rng(seed)
    texts = _texts()
    vectors, _ = _vectors(g, n, topics)
    items, vecs = [], []
    gaps = np.sort(g.uniform(0, days * 86400, n))
    for i in range(n):
        text = texts[int(g.integers(len(texts)))]
        if g.random() < 0.04:
            text = "  "  # no text: the reason code decides
        at = T0 + dt.timedelta(seconds=float(gaps[i]))
        items.append(
            Incoming(10_000 + i, 1, int(g.integers(customers)), int(g.integers(1, 4)), at, text)
        )
        vecs.append(None if not text.strip() or g.random() < 0.05 else vectors[i])
    return items, vecs


def _read_before(seed: int, n: int) -> dict[int, rules.Candidate]:
    """Candidates as a read gives them: problems with members (some corrected), oldest
    first, at most MEMBERS_PER_PROBLEM each."""
    g = np.random.default_rng(seed)
    texts = _texts()
    vectors, topics = _vectors(g, n, 6)
    out: dict[int, rules.Candidate] = {}
    for i in range(n):
        key = 500 + int(topics[i])
        cand = out.setdefault(key, rules.Candidate(key))
        if len(cand.members) < rules.MEMBERS_PER_PROBLEM:
            at = T0 - dt.timedelta(days=float(g.uniform(0, 25)))
            text = texts[int(g.integers(len(texts)))]
            m = rules.Report(
                i + 1,
                int(g.integers(40)),
                int(g.integers(1, 4)),
                at,
                detection_quality.lexical_of(text),
                None if g.random() < 0.05 else vectors[i],
                True,
                bool(g.random() < 0.1),
            )
            cand.members.append(m)
            cand.reasons[m.reason_id] += 1
            cand.last_at = max(cand.last_at or at, at)
    return out


def _copy(candidates: dict[int, rules.Candidate]) -> dict[int, rules.Candidate]:
    return {
        k: rules.Candidate(k, list(c.members), c.reasons.copy(), c.last_at)
        for k, c in candidates.items()
    }


def _both(items, vecs, before=None, pinned=None) -> tuple[list, list]:
    before = before or {}
    pinned = pinned or {}
    reference = Reference(_copy(before))
    replay = Replay(1, Seed.of(before) if before else None, expected=len(items))
    pairs = list(enumerate(zip(items, vecs, strict=True)))
    want = [reference.place(it, v, pinned.get(i)) for i, (it, v) in pairs]
    got = [replay.place(it, v, pinned.get(i)) for i, (it, v) in pairs]
    return want, got


@pytest.mark.parametrize("seed", [1, 2])
def test_a_busy_product_over_two_windows_is_decided_as_online(seed):
    # ~600 reports in 30 days over few topics: more than CANDIDATE_REPORTS in the window,
    # problems past MEMBERS_PER_PROBLEM; 75 days, so problems fall out of the window.
    items, vecs = _generated(seed, 1500, days=75, topics=8, customers=300)
    want, got = _both(items, vecs)
    assert got == want
    joined = [c for c in want if c.key is not None and c.key in {w.key for w in want[:50]}]
    assert len(joined) > 100 and any(c.method == "reason" for c in want)
    sizes = Counter(c.key for c in want)
    assert max(sizes.values()) > rules.MEMBERS_PER_PROBLEM  # full problems dropped members


def test_members_read_before_and_corrections_are_kept_as_online():
    items, vecs = _generated(3, 400, days=20, topics=6, customers=60)
    before = _read_before(3, 300)  # the same topics as the reports (the same seed)
    assert any(m.pinned for c in before.values() for m in c.members)
    # Corrections during a rebuild: some reports placed by a person into a problem.
    pinned = {i: 500 + i % 8 for i in range(5, 400, 37)}
    want, got = _both(items, vecs, before, pinned)
    assert got == want
    assert any(c.key is not None and c.key >= 500 and c.method != "manual" for c in want)


def test_the_labelled_development_set_is_grouped_as_online(model):
    cs = labelled_read("dev")
    vectors = detection_quality.vectors_of(cs)
    online = detection_quality.replay(cs, vectors)
    replays: dict[str, Replay] = {}
    keys: dict[tuple[str, int], int] = {}
    got = []
    for c, r in zip(cs, detection_quality.reports(cs, vectors), strict=True):
        replay = replays.setdefault(c.sku, Replay(len(replays) + 1))
        item = Incoming(r.contact_id, 1, r.customer_id, r.reason_id, r.at, c.text)
        choice = replay.place(item, r.vector)
        got.append(keys.setdefault((c.sku, choice.key), len(keys) + 1))  # type: ignore[arg-type]
    # The same grouping (keys are numbered in order of first use on both sides).
    first: dict[int, int] = {}
    assert got == [first.setdefault(k, len(first) + 1) for k in online]
