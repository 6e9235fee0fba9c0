"""The labelled bilingual set of service-desk contacts (tests/detection/labelled/dev.txt and
heldout.txt, data kept beside the tests): the reader and the pairwise measure that the
benchmarks and the tests share."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "tests" / "detection" / "labelled"


@dataclass(frozen=True)
class LabelledContact:
    n: int  # position in the file: the order in which contacts arrive
    sku: str
    title: str
    category: str
    problem: str  # gold label, unique within the product
    customer: str
    reason: str
    text: str


def labelled_read(part: str) -> list[LabelledContact]:
    """`part`: "dev" or "heldout"."""
    out: list[LabelledContact] = []
    sku = title = category = problem = ""
    solo = 0
    for raw in (HERE / f"{part}.txt").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            sku, title, category = (p.strip() for p in line[1:].split("|"))
            continue
        if line.startswith("="):
            problem = line[1:].strip()
            continue
        customer, reason, text = (p.strip() for p in line.split("|", 2))
        label = problem
        if problem == "solo":
            solo += 1
            label = f"solo-{solo}"
        out.append(LabelledContact(len(out), sku, title, category, label, customer, reason, text))
    return out


@dataclass(frozen=True)
class PairScore:
    precision: float
    recall: float
    f1: float
    pairs_true: int
    pairs_predicted: int


def pairwise(gold: Sequence[str], predicted: Sequence[object], groups: Sequence[str]) -> PairScore:
    """Pairwise precision/recall/F1 of a grouping: over every pair of contacts of the same
    product (`groups`), is "same problem" predicted and is it true."""
    tp = fp = fn = 0
    by_group: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        by_group.setdefault(g, []).append(i)
    for members in by_group.values():
        for a, b in itertools.combinations(members, 2):
            same_gold = gold[a] == gold[b]
            same_pred = predicted[a] == predicted[b]
            tp += same_gold and same_pred
            fp += same_pred and not same_gold
            fn += same_gold and not same_pred
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return PairScore(p, r, f, tp + fn, tp + fp)


def products(contacts: Iterable[LabelledContact]) -> list[str]:
    return sorted({c.sku for c in contacts})
