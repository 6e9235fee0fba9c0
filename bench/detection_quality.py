"""Grouping quality on the labelled bilingual set, and the fit of the pair weights.

    .venv/bin/python -m bench.detection_quality fit       # weights from the tuning part only
    .venv/bin/python -m bench.detection_quality quality   # pairwise P/R/F1 of every part
    .venv/bin/python -m bench.detection_quality tune      # the thresholds, on the tuning part

The replay here is the product's own decision (`andon.detection.rules.choose` over the same
candidates, in report order), run in memory without a database: what the service would
assign, contact after contact, on each product of the set.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from andon.detection import embedding, linkage, rules
from andon.detection.text import lexical_of
from bench.labelled import LabelledContact, PairScore, labelled_read, pairwise

BASE = "2026-11-01T09:00:00+08:00"


def reports(contacts: list[LabelledContact], vectors: np.ndarray | None) -> list[rules.Report]:
    import datetime as dt

    start = dt.datetime.fromisoformat(BASE)
    customers: dict[tuple[str, str], int] = {}
    reasons: dict[str, int] = {}
    out = []
    for i, c in enumerate(contacts):
        cust = customers.setdefault((c.sku, c.customer), len(customers) + 1)
        reason = reasons.setdefault(c.reason, len(reasons) + 1)
        out.append(
            rules.Report(
                contact_id=i + 1,
                customer_id=cust,
                reason_id=reason,
                # One report every 2 hours, in file order: all within the window.
                at=start + dt.timedelta(hours=2 * i),
                lexical=lexical_of(c.text),
                vector=None if vectors is None else vectors[i],
                has_text=bool(c.text.strip()),
            )
        )
    return out


# The part the method is chosen on: weights fitted, thresholds and choices cross-validated
# with each product left out. The round-3 sealed part joined it in the fourth round, when
# sealed2 was written; the sealed parts are never read here (only `quality` reports their
# figures). sealed3 was written in the fifth round by someone who had not seen the method.
TUNING = ("dev", "heldout", "sealed")
SEALED = ("sealed2", "sealed3")


def tuning_read() -> list[LabelledContact]:
    return [c for part in TUNING for c in labelled_read(part)]


def interleaved(contacts: list[LabelledContact], seed: int) -> list[int]:
    """A seeded order in which the products' reports arrive mixed, as on a service desk,
    not problem after problem as the files list them; each customer's reports keep their
    own order (a follow-up comes after the first call)."""
    rng = np.random.default_rng(seed)
    order = [int(i) for i in rng.permutation(len(contacts))]
    slots: dict[tuple[str, str], list[int]] = {}
    for pos, i in enumerate(order):
        slots.setdefault((contacts[i].sku, contacts[i].customer), []).append(pos)
    for positions in slots.values():
        own = sorted(order[p] for p in positions)
        for p, i in zip(sorted(positions), own, strict=True):
            order[p] = i
    return order


def replay(contacts: list[LabelledContact], vectors: np.ndarray | None) -> list[int]:
    """The problem key the product would give each contact, online, in file order."""
    cands: dict[str, dict[int, rules.Candidate]] = {}
    out, next_key = [], 1
    for c, r in zip(contacts, reports(contacts, vectors), strict=True):
        product = cands.setdefault(c.sku, {})
        choice = rules.choose(r, product.values())
        key = choice.key
        if key is None:
            key, next_key = next_key, next_key + 1
        product.setdefault(key, rules.Candidate(key)).add(r)
        out.append(key)
    return out


def regrouped(contacts: list[LabelledContact], vectors: np.ndarray | None) -> list[object]:
    """The problem each contact ends in after the offline re-grouping of its product's reports
    (`andon detection regroup`, linkage.py): whatever the order they came in."""
    reps = reports(contacts, vectors)
    by_product: dict[str, list[int]] = {}
    for i, c in enumerate(contacts):
        by_product.setdefault(c.sku, []).append(i)
    out: list[object] = [None] * len(contacts)
    for sku, idx in by_product.items():
        for i, g in zip(idx, linkage.clusters([reps[i] for i in idx]), strict=True):
            out[i] = (sku, g)
    return out


def vectors_of(contacts: list[LabelledContact]) -> np.ndarray:
    v = embedding.vectors([c.text for c in contacts], wait=True)
    if v is None:
        raise SystemExit("the sentence model is not available")
    # As stored: float16, then back to unit float32.
    return np.stack(embedding.as_stored(v))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Quality:
    part: str
    contacts: int
    products: int
    problems: int
    embedding: PairScore
    regrouped: PairScore
    lexical: PairScore
    reason_only: PairScore


def quality(part: str, seed: int | None = None) -> Quality:
    """Pairwise figures of one part, in file order or (`seed`) interleaved."""
    cs = labelled_read(part)
    if seed is not None:
        cs = [cs[i] for i in interleaved(cs, seed)]
    gold = [f"{c.sku}/{c.problem}" for c in cs]
    groups = [c.sku for c in cs]
    vecs = vectors_of(cs)
    emb = pairwise(gold, replay(cs, vecs), groups)
    again = pairwise(gold, regrouped(cs, vecs), groups)
    lex = pairwise(gold, replay(cs, None), groups)
    # The rule the cord had before detection: the same reason code is the same problem.
    by_reason = pairwise(gold, [f"{c.sku}/{c.reason}" for c in cs], groups)
    return Quality(part, len(cs), len(set(groups)), len(set(gold)), emb, again, lex, by_reason)


def _pair_features(
    contacts: list[LabelledContact], reps: list[rules.Report]
) -> tuple[np.ndarray, np.ndarray]:
    """The decision's own evidence (`rules.pair_features`) for every pair of one product, and
    whether the pair is one problem."""
    X, y = [], []
    for b in range(len(contacts)):
        earlier = [a for a in range(b) if contacts[a].sku == contacts[b].sku]
        if not earlier:
            continue
        x, _ = rules.pair_features(reps[b], [reps[a] for a in earlier])
        X.append(x)
        y += [contacts[a].problem == contacts[b].problem for a in earlier]
    return np.vstack(X), np.asarray(y, dtype=float)


def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 5000) -> np.ndarray:
    """Plain gradient descent on the L2-regularised log-loss; returns (bias, weights...)."""
    Xb = np.hstack([np.ones((len(X), 1)), X])
    w = np.zeros(Xb.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(Xb @ w)))
        grad = Xb.T @ (p - y) / len(y) + l2 * np.r_[0, w[1:]] / len(y)
        w -= 0.5 * grad
    return w


WEIGHTS = {"embedding": "EMBEDDING_WEIGHTS", "lexical": "LEXICAL_WEIGHTS"}
THRESHOLDS = {"embedding": "SAME_PROBLEM", "lexical": "SAME_PROBLEM_LEXICAL"}


def _weights(cs: list[LabelledContact], vecs: np.ndarray | None) -> tuple[float, ...]:
    X, y = _pair_features(cs, reports(cs, vecs))
    if vecs is None:
        # n-grams never overlap across languages: "different languages" would only learn how
        # many cross-language pairs of this set happen to be one problem; and the relative
        # evidence is there for the model's cosine, whose level drifts by product and wording.
        # Both left at zero for the lexical fallback.
        X[:, 1:3] = 0.0
        X[:, rules.FEATURES.index("below_best")] = 0.0
    return tuple(round(float(v), 2) for v in fit_logistic(X, y))


def fit() -> dict[str, tuple[float, ...]]:
    """Fit both weight sets on the tuning parts (never on the sealed part)."""
    cs = tuning_read()
    vecs = vectors_of(cs)
    return {WEIGHTS[kind]: _weights(cs, vecs if kind == "embedding" else None) for kind in WEIGHTS}


GRID = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


def cross_validated(
    kind: str,
    grid: tuple[float, ...] = GRID,
    seeds: tuple[int | None, ...] = (None,),
    regroup: bool = False,
) -> dict[float, PairScore]:
    """The tuning parts only, leaving one product out at a time: weights fitted on the other
    products, the left-out product replayed at each threshold, in file order (seed None) or
    in seeded interleaved orders; pairs summed over the products and the orders. An estimate
    of the grouping on products the fit never saw. `regroup`: the offline re-grouping
    (linkage.py) instead of online assignment, the grid its threshold (linkage.REGROUP)."""
    cs = tuning_read()
    vecs = vectors_of(cs) if kind == "embedding" else None
    counts = {t: [0, 0, 0] for t in grid}  # true positives, predicted pairs, true pairs
    module, name = (linkage, "REGROUP") if regroup else (rules, THRESHOLDS[kind])
    saved_w, saved_t = getattr(rules, WEIGHTS[kind]), getattr(module, name)
    try:
        for sku in sorted({c.sku for c in cs}):
            train = [i for i, c in enumerate(cs) if c.sku != sku]
            test = [i for i, c in enumerate(cs) if c.sku == sku]
            sub = None if vecs is None else vecs[train]
            setattr(rules, WEIGHTS[kind], _weights([cs[i] for i in train], sub))
            for seed in seeds:
                order = (
                    test
                    if seed is None
                    else [test[j] for j in interleaved([cs[i] for i in test], seed)]
                )
                part = [cs[i] for i in order]
                gold = [f"{c.sku}/{c.problem}" for c in part]
                for t in grid:
                    setattr(module, name, t)
                    grouping = regrouped if regroup else replay
                    pred = grouping(part, None if vecs is None else vecs[order])
                    s = pairwise(gold, pred, [c.sku for c in part])
                    counts[t][0] += round(s.precision * s.pairs_predicted)
                    counts[t][1] += s.pairs_predicted
                    counts[t][2] += s.pairs_true
    finally:
        setattr(rules, WEIGHTS[kind], saved_w)
        setattr(module, name, saved_t)
    out = {}
    for t, (tp, pp, pt) in counts.items():
        p = tp / pp if pp else 1.0
        r = tp / pt if pt else 1.0
        out[t] = PairScore(p, r, 2 * p * r / (p + r) if p + r else 0.0, pt, pp)
    return out


def tune() -> dict[str, float]:
    """Pick each threshold on the tuning part only, by the cross-validated grouping (products
    left out of the fit), file order and two interleaved orders together: the most precise
    threshold within one point of the best F1 (a wrong merge can put two defects behind one
    pull; a wrong split is one click). The sealed part is not read."""
    runs = {name: cross_validated(kind, seeds=(None, 0, 1)) for kind, name in THRESHOLDS.items()}
    # The re-grouping reads every pair at once: one order is all orders.
    runs["linkage.REGROUP"] = cross_validated("embedding", regroup=True)
    chosen = {}
    for name, scores in runs.items():
        for t, s in scores.items():
            print(f"{name} {t}: tuning part, products left out: {_fmt(s)}")
        best = max(s.f1 for s in scores.values())
        near = [t for t in scores if scores[t].f1 >= best - 0.01]
        chosen[name] = max(near, key=lambda t: (scores[t].precision, t))
    return chosen


def _fmt(s: PairScore) -> str:
    return f"P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}"


def main(argv: list[str]) -> None:
    what = argv[0] if argv else "quality"
    if what == "tune":
        for name, t in tune().items():
            print(f"{name} = {t}")
        return
    if what == "fit":
        for name, w in fit().items():
            print(f"{name} = {w}")
        return
    started = time.perf_counter()
    t = rules.SAME_PROBLEM
    for label, seeds in (("file order", (None,)), ("interleaved, seeds 0-2", (0, 1, 2))):
        cv = cross_validated("embedding", (t,), seeds)[t]
        print(f"tuning part ({', '.join(TUNING)}), products left out, {label}: {_fmt(cv)}")
    t = linkage.REGROUP
    cv = cross_validated("embedding", (t,), (None,), regroup=True)[t]
    print(f"tuning part, products left out, regrouped (any order): {_fmt(cv)}")
    for part, seed in (
        ("dev", None),
        ("heldout", None),
        ("sealed", None),
        *((sealed, seed) for sealed in SEALED for seed in (None, 0, 1, 2)),
    ):
        q = quality(part, seed)
        order = "file order" if seed is None else f"interleaved, seed {seed}"
        print(
            f"{part} ({order}): {q.contacts} contacts, {q.products} products, {q.problems} problems"
        )
        print(f"  embedding + lexical + reason : {_fmt(q.embedding)}")
        print(f"  the same, then regrouped     : {_fmt(q.regrouped)}")
        print(f"  lexical fallback + reason    : {_fmt(q.lexical)}")
        print(f"  reason code only (before)    : {_fmt(q.reason_only)}")
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
