"""Detection's grouping decisions, in words and in code. Pure: no database, no clock, no model.

- The same problem: a report joins the product's problem whose members it resembles most,
  when the average evidence over those members says "same problem" with a probability above
  a threshold chosen on the development set; otherwise it opens a problem of its own.
  Evidence for a pair of reports: the cosine of their sentence embeddings (multilingual, so
  a Chinese and an English report of one defect meet without a shared word), read
  differently across languages (the model's cosines run lower between Chinese and English)
  and relative to the report's closest report of the product (the cosines' level drifts by
  product and wording), the numbers both name (page 100-101, E4) or name differently, and
  whether the agents coded the same reason (a weak prior, never a gate). Without embeddings
  (model unavailable) character n-grams take the cosine's place.
- A report without text follows its reason code: the most recent problem of the product where
  that reason is the most common one; else a problem of its own.
- Corrections are members like any other: a contact moved, merged or split by a person keeps
  its place, and later reports that resemble it follow it there.
- Only problems active within the window (30 days) are candidates, compared through their
  most recent members (corrected ones first): a report is decided in milliseconds whatever
  the history, and the same replay of the same reports gives the same problems (rebuild).

The complaint-rate alert's rule is in complaint_rate.py.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .text import Lexical

WINDOW_DAYS = 30
MEMBERS_PER_PROBLEM = 20
CANDIDATE_REPORTS = 400
# The probability above which a report joins a problem, chosen on dev.txt only by
# `python -m bench.detection_quality tune`: the most precise threshold within one point of
# the best pairwise F1 of the grouping, each product's F1 measured with weights fitted on the
# other products (a wrong merge can put two defects behind one pull; a wrong split is one
# click for a team lead). One for each kind of evidence.
SAME_PROBLEM = 0.4
SAME_PROBLEM_LEXICAL = 0.3

# Logistic weights of the pair evidence, fitted on the tuning part of the labelled set
# (tests/detection/labelled/dev.txt, heldout.txt and sealed.txt; never sealed2.txt) by
# `python -m bench.detection_quality fit`. Order: bias, then FEATURES: cosine (or n-gram
# overlap), the two reports in different languages, that times the cosine, numbers shared,
# numbers differ, same reason (weak: agents code inconsistently), how far below the report's
# closest report of the product, the same customer, the same customer saying it is the same
# thing again, defect concepts shared (not questions, parcels, invoices: concepts.NOT_DEFECTS),
# concepts that differ, n-gram overlap, and the cosine with the product's mean per language
# taken out.
# fmt: off
EMBEDDING_WEIGHTS = (-3.12, 3.43, -0.65, 2.13, 1.39, 0.53, 0.36, 0.96, 0.66, 0.81, 3.04, -1.46,
                     1.05, 5.42)
LEXICAL_WEIGHTS = (-2.16, 1.72, 0.0, 0.0, 3.0, 0.51, 0.37, 0.0, 0.29, 0.65, 3.99, -1.7, 1.72,
                   0.0)
# fmt: on


@dataclass(frozen=True)
class Report:
    """A contact as detection sees it."""

    contact_id: int
    customer_id: int
    reason_id: int
    at: dt.datetime
    lexical: Lexical
    vector: np.ndarray | None = None  # unit length
    has_text: bool = True
    pinned: bool = False

    @cached_property
    def order(self) -> tuple[bool, float, int]:
        """How the candidates' members are ranked: corrected first, then the newest."""
        return (not self.pinned, -self.at.timestamp(), -self.contact_id)


@dataclass
class Candidate:
    """A problem of the product, through its members (corrected ones first, then the most
    recent), each at most MEMBERS_PER_PROBLEM."""

    key: int
    members: list[Report] = field(default_factory=list)
    reasons: Counter[int] = field(default_factory=Counter)
    last_at: dt.datetime | None = None

    def add(self, report: Report) -> None:
        self.members.append(report)
        self.reasons[report.reason_id] += 1
        if self.last_at is None or report.at > self.last_at:
            self.last_at = report.at
        if len(self.members) > MEMBERS_PER_PROBLEM:
            # Drop the oldest uncorrected member: corrections keep teaching.
            drop = next((i for i, m in enumerate(self.members) if not m.pinned), 0)
            gone = self.members.pop(drop)
            self.reasons[gone.reason_id] -= 1
            if not self.reasons[gone.reason_id]:
                del self.reasons[gone.reason_id]

    @property
    def main_reason(self) -> int | None:
        """The most frequent reason code; the lowest id among equals (whatever the order the
        members were read in)."""
        if not self.reasons:
            return None
        return min(self.reasons, key=lambda r: (-self.reasons[r], r))


@dataclass(frozen=True)
class Choice:
    key: int | None  # None: open a problem of its own
    method: str  # "embedding", "lexical", "reason"
    score: float = 0.0
    matched_contact_id: int | None = None
    similarity: float = 0.0


def pair_logit(a: Report, b: Report) -> tuple[float, float]:
    """Log-odds that two reports describe the same problem, and the similarity behind it."""
    z, similarity, _ = _logits(a, [b])
    return float(z[0]), float(similarity[0])


def pair_logits(report: Report, members: Sequence[Report]) -> np.ndarray:
    """Log-odds that the report and each member describe the same problem (the evidence of
    `pair_features`, the fitted weights): online's per-member evidence, also read by the
    offline re-grouping (linkage.py)."""
    return _logits(report, members)[0]


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def _live(report: Report, candidates: Iterable[Candidate]) -> list[Candidate]:
    """The candidates as the database reads them for this report: members reported within
    the window before it, corrected ones first then the newest, at most CANDIDATE_REPORTS in
    all and MEMBERS_PER_PROBLEM a problem (the same cut online and in a replay)."""
    window_start = report.at - dt.timedelta(days=WINDOW_DAYS)
    pool = [(c.key, m) for c in candidates for m in c.members if window_start <= m.at <= report.at]
    if len(pool) > CANDIDATE_REPORTS:
        pool = heapq.nsmallest(CANDIDATE_REPORTS, pool, key=lambda km: km[1].order)
    else:
        pool.sort(key=lambda km: km[1].order)
    live: dict[int, Candidate] = {}
    for key, m in pool:
        c = live.get(key)
        if c is None:
            c = live[key] = Candidate(key)
        if len(c.members) < MEMBERS_PER_PROBLEM:
            c.members.append(m)
            c.reasons[m.reason_id] += 1
            c.last_at = max(c.last_at or m.at, m.at)
    return list(live.values())


def choose(report: Report, candidates: Iterable[Candidate]) -> Choice:
    """The problem this report belongs to, among the product's active ones (see the module
    docstring); ties go to the most recently active problem, then the oldest key. The pair
    evidence is computed for all members at once (one matrix product for the cosines)."""
    active = _live(report, candidates)
    if not report.has_text:
        return _by_reason(report, active)
    if not active:
        return Choice(None, "embedding" if report.vector is not None else "lexical", 0.0)
    members = [m for c in active for m in c.members]
    x, by_vector = pair_features(report, members)
    return pick(
        report,
        x,
        by_vector,
        sizes=np.array([len(c.members) for c in active]),
        recency=[(c.last_at, -c.key) for c in active],
        keys=[c.key for c in active],
        contact_ids=[m.contact_id for m in members],
    )


def pick(
    report: Report,
    x: np.ndarray,
    by_vector: np.ndarray,
    *,
    sizes: np.ndarray,
    recency: Sequence[tuple[object, int]],
    keys: Sequence[int],
    contact_ids: Sequence[int],
) -> Choice:
    """The decision over the live candidates' members, given their evidence `x` (rows grouped
    by problem, `sizes` rows each, problems in `keys` order; `recency` breaks ties: the most
    recently active problem, then the oldest key). Online assignment and the batch replay
    (replay.py) both decide here, over the same rows in the same order."""
    z, similarity = _logits_of(x, by_vector)
    # Average linkage: the mean log-odds over each problem's members, all problems at once.
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    # (Blending in the best member's log-odds was tried: cross-validated F1 fell, 0.80 -> 0.77.)
    scores = 1.0 / (1.0 + np.exp(-np.add.reduceat(z, starts) / sizes))
    i = max(range(len(keys)), key=lambda i: (scores[i], *recency[i]))
    start = int(starts[i])
    top = start + int(np.argmax(z[start : start + int(sizes[i])]))
    method = "embedding" if by_vector[top] else "lexical"
    best = Choice(keys[i], method, float(scores[i]), contact_ids[top], float(similarity[top]))
    threshold = SAME_PROBLEM if best.method == "embedding" else SAME_PROBLEM_LEXICAL
    if best.score >= threshold:
        return best
    method = "embedding" if report.vector is not None else "lexical"
    return Choice(None, method, best.score)


FEATURES = (
    "similarity",
    "cross_language",
    "cross_language_x_similarity",
    "numbers_shared",
    "numbers_differ",
    "same_reason",
    "below_best",
    "same_customer",
    "same_customer_follow_up",
    "concepts_shared",
    "concepts_differ",
    "grams",
    "centred_similarity",
)
# The product's own mean vector per language, shrunk towards zero by this many reports' weight:
# what all reports of a product share (the product itself, the language) is taken out of the
# cosine, so that what is left is the defect.
CENTRE_PRIOR = 3.0


def pair_features(report: Report, members: Sequence[Report]) -> tuple[np.ndarray, np.ndarray]:
    """The evidence for each (report, member) pair, one row a member with the columns of
    FEATURES, and whether the row's similarity is the embeddings' cosine (else n-gram overlap).
    The fit (bench/detection_quality.py) reads the same rows as the decision. One pass over
    the members in Python, one stack of their vectors: a busy product's 400 members in about
    a millisecond."""
    n = len(members)
    lex = report.lexical
    na, concepts, defects, grams_r = lex.numbers, lex.concepts, lex.defects, lex.grams
    lang, reason, customer = lex.language, report.reason_id, report.customer_id
    n_c, n_d, n_g, has_n = len(concepts), len(defects), len(grams_r), bool(na)
    sqrt = math.sqrt
    # `_overlap` and the set tests inlined: this loop runs for every member of every report.
    rows: list[tuple[bool, bool, bool, bool, bool, float, bool, float, bool]] = []
    append = rows.append
    for m in members:
        ml = m.lexical
        mn, mc, md, mg = ml.numbers, ml.concepts, ml.defects, ml.grams
        shared_n = has_n and not na.isdisjoint(mn)
        append(
            (
                ml.language != lang,
                shared_n,
                has_n and len(mn) > 0 and not shared_n,
                m.reason_id == reason,
                m.customer_id == customer,
                len(defects & md) / sqrt(n_d * len(md)) if n_d and md else 0.0,
                n_c > 0 and len(mc) > 0 and concepts.isdisjoint(mc),
                len(grams_r & mg) / sqrt(n_g * len(mg)) if n_g and mg else 0.0,
                ml.language == "zh",
            )
        )
    flags = np.array(rows, dtype=float).reshape(n, 9)
    by_vector = np.array([report.vector is not None and m.vector is not None for m in members])
    by_vector = by_vector.astype(bool).reshape(n)
    matrix = None
    if by_vector.any():
        matrix = _stacked([m.vector for m, v in zip(members, by_vector, strict=True) if v])  # type: ignore[misc]
    return evidence(report, flags, by_vector, matrix), by_vector


# The columns of `pair_features`'s per-member flags, as `evidence` reads them.
FLAGS = (
    "cross_language",
    "numbers_shared",
    "numbers_differ",
    "same_reason",
    "same_customer",
    "concepts_shared",
    "concepts_differ",
    "grams",
    "member_zh",
)


def evidence(
    report: Report, flags: np.ndarray, by_vector: np.ndarray, matrix: np.ndarray | None
) -> np.ndarray:
    """The rows of FEATURES from the members' lexical flags (columns of FLAGS, float) and the
    vectors of the members compared by vector (`matrix`, their rows in member order)."""
    n = len(flags)
    cross, shared, differ, same_reason, same_customer, shared_c, differ_c, grams, zh = flags.T
    similarity = grams.copy()  # n-gram overlap where a vector is missing
    centred = np.zeros(n)
    if matrix is not None:
        idx = np.flatnonzero(by_vector)
        similarity[idx], centred[idx] = _cosines(report, matrix, zh[idx].astype(bool))
    # Relative evidence: how far below the report's closest report of the product this one
    # is (0 for the closest). The level of the cosines varies by product and by wording; a
    # member far below the best match is unlike the report whatever that level.
    below = np.zeros(n)
    for kind in (by_vector, ~by_vector):
        if kind.any():
            below[kind] = similarity[kind] - similarity[kind].max()
    # The model's cosines run lower between a Chinese and an English report, for one problem
    # and for two alike: the line between them sits elsewhere across languages (cross and
    # cross x cosine).
    return np.column_stack(
        [
            similarity,
            cross,
            cross * similarity,
            shared,
            differ,
            same_reason,
            below,
            same_customer,
            same_customer * report.lexical.follow_up,
            shared_c,
            differ_c,
            grams,
            centred,
        ]
    )


def _stacked(vectors: list[np.ndarray]) -> np.ndarray:
    """The members' vectors as one matrix: joined as bytes, ~2.5x faster than np.stack for a
    busy product's 400 (the import decides one report after another with it)."""
    first = vectors[0]
    try:
        raw = b"".join(vectors)  # type: ignore[arg-type]
    except (BufferError, TypeError):  # a non-contiguous view
        return np.stack(vectors)
    if len(raw) != len(vectors) * first.nbytes:
        return np.stack(vectors)
    return np.frombuffer(raw, dtype=first.dtype).reshape(len(vectors), *first.shape)


def _cosines(report: Report, matrix: np.ndarray, zh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The cosines of the report with each member (unit rows of `matrix`), and the same after
    taking out the product's mean vector of each language (see CENTRE_PRIOR), computed from
    dot products only: |m - mu|^2 = 1 - 2 m.mu + |mu|^2."""
    r = report.vector
    assert r is not None
    r_zh = report.lexical.language == "zh"
    sums = {True: zh @ matrix, False: (~zh) @ matrix}
    counts = {True: int(zh.sum()), False: int((~zh).sum())}
    sums[r_zh] = sums[r_zh] + r
    counts[r_zh] += 1
    mu = {lang: sums[lang] / (counts[lang] + CENTRE_PRIOR) for lang in (True, False)}
    # One product: each member against the report, its language's mean, the report's mean.
    dots = matrix @ np.column_stack([r, mu[True], mu[False], mu[r_zh]])
    cosine = dots[:, 0]
    mu_m_dot = np.where(zh, dots[:, 1], dots[:, 2])
    mu_m_sq = np.where(zh, mu[True] @ mu[True], mu[False] @ mu[False])
    mu_r = mu[r_zh]
    rc_sq = max(1.0 - 2.0 * float(r @ mu_r) + float(mu_r @ mu_r), 1e-18)
    # (m - mu_m).(r - mu_r) = m.r - m.mu_r - mu_m.r + mu_m.mu_r
    mu_m_r = np.where(zh, float(mu[True] @ r), float(mu[False] @ r))
    mu_m_mu_r = np.where(zh, float(mu[True] @ mu_r), float(mu[False] @ mu_r))
    numerator = cosine - dots[:, 3] - mu_m_r + mu_m_mu_r
    mc_sq = np.maximum(1.0 - 2.0 * mu_m_dot + mu_m_sq, 1e-18)
    norms = np.sqrt(mc_sq * rc_sq)
    return cosine, numerator / np.maximum(norms, 1e-9)


def _logits(report: Report, members: Sequence[Report]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """pair_logit for every member, vectorised: (log-odds, similarity, by vector)."""
    x, by_vector = pair_features(report, members)
    z, similarity = _logits_of(x, by_vector)
    return z, similarity, by_vector


def _logits_of(x: np.ndarray, by_vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    w = np.where(by_vector[:, None], EMBEDDING_WEIGHTS, LEXICAL_WEIGHTS)
    return w[:, 0] + np.einsum("ij,ij->i", w[:, 1:], x), x[:, 0]


def _by_reason(report: Report, active: Sequence[Candidate]) -> Choice:
    same = [c for c in active if c.main_reason == report.reason_id]
    if not same:
        return Choice(None, "reason")
    c = max(same, key=lambda c: (c.last_at, -c.key))
    return Choice(c.key, "reason", 1.0, c.members[-1].contact_id, 0.0)
