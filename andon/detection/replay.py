"""Assignment of many contacts in memory (an import, a rebuild), in report order: the same
decision as `rules.choose` over the same members, with each product's members kept as arrays
(vectors as one matrix, lexical evidence as ids) instead of per-member objects re-read and
re-compared in Python for every report.

Why arrays: a report is compared with ~100 members of its product, and an import decides
thousands of reports over the same members. `rules.choose` rebuilds the live candidates,
one Python tuple of evidence a member and one stack of vectors for each report (~1 ms); here
the window and the cut are index arithmetic, set overlaps are counts of shared ids
(`np.bincount` over the product's ids), and the matrix is indexed, not rebuilt. The numbers
fed to `rules.evidence` and `rules.pick` are the very same (the same rows, in the same order,
computed with the same floating-point operations), so the choices are identical:
tests/detection/test_replay.py replays generated sets both ways.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import rules
from .assign import Incoming
from .members import DAY_US, WINDOW_US, Lexicon, Members, Seed, micros
from .models import Method


@dataclass
class _Problem:
    members: list[int]  # rows, in the order rules.Candidate keeps its members
    last_at: int  # the latest member's ever (as rules.Candidate.last_at)


class Replay:
    """Assignment of many contacts of one product in memory, in report order: what
    `rules.choose` over `rules.Candidate`s would decide (candidates at most
    MEMBERS_PER_PROBLEM members each, the oldest uncorrected dropped first, as
    `rules.Candidate.add` does). Problems that do not exist yet have negative keys until
    they are written."""

    def __init__(
        self,
        product_id: int,
        seed: Seed | dict[int, rules.Candidate] | None = None,
        *,
        lexicon: Lexicon | None = None,
        expected: int = 0,
    ) -> None:
        self.product_id = product_id
        self.next_key = -1
        self.pruned_at: int | None = None
        self.lexicon = lexicon or Lexicon()
        if isinstance(seed, dict):
            seed = Seed.of(seed)
        size = expected + (len(seed.keys) if seed else 0)
        self._m = Members(self.lexicon, capacity=max(16, size))
        self.candidates: dict[int, _Problem] = {}
        if seed is not None and seed.keys:
            rows = self._m.extend(seed)
            for key, row, at in zip(seed.keys, rows.tolist(), seed.at, strict=True):
                problem = self.candidates.get(key)
                if problem is None:
                    self.candidates[key] = _Problem([row], at)
                else:
                    problem.members.append(row)
                    problem.last_at = max(problem.last_at, at)

    def _add(self, key: int, report: rules.Report) -> None:
        row = self._m.add(report, key)
        at = int(self._m.arrays["at"][row])
        problem = self.candidates.get(key)
        if problem is None:
            problem = self.candidates[key] = _Problem([], at)
        problem.members.append(row)
        problem.last_at = max(problem.last_at, at)
        if len(problem.members) > rules.MEMBERS_PER_PROBLEM:
            # As rules.Candidate.add: drop the oldest uncorrected member.
            pinned = self._m.arrays["pinned"]
            drop = next((i for i, r in enumerate(problem.members) if not pinned[r]), 0)
            self._m.arrays["alive"][problem.members.pop(drop)] = False

    def place(
        self, item: Incoming, vector: np.ndarray | None, pinned_key: int | None = None
    ) -> rules.Choice:
        at = micros(item.at)
        self._prune(at)
        report = item.report(vector, pinned=pinned_key is not None)
        if pinned_key is not None:
            choice = rules.Choice(pinned_key, Method.MANUAL, 1.0)
        else:
            choice = self._choose(report, at)
        key = choice.key
        if key is None:
            key = self.next_key
            self.next_key -= 1
            choice = rules.Choice(
                key, choice.method, choice.score, choice.matched_contact_id, choice.similarity
            )
        self._add(key, report)
        return choice

    def _live(self, at: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """rules._live as index arithmetic: the live members' rows (problems in order of their
        first member in the cut's order, each problem's members in that order), each
        problem's size and first row's position."""
        m, a = self._m, self._m.arrays
        n = m.n
        when = a["at"][:n]
        rows = np.flatnonzero(a["alive"][:n] & (when >= at - WINDOW_US) & (when <= at))
        if not len(rows):
            return rows, rows, rows
        # Corrected first, then the newest (contact ids break ties), at most CANDIDATE_REPORTS.
        order = np.lexsort((-a["cid"][rows], -when[rows], ~a["pinned"][rows]))
        rows = rows[order][: rules.CANDIDATE_REPORTS]
        keys = a["key"][rows]
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        group = first[inverse]  # a problem is ranked by its first member's position
        grouped = np.argsort(group, kind="stable")
        rows, group = rows[grouped], group[grouped]
        starts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
        sizes = np.diff(np.append(starts, len(rows)))
        rank = np.arange(len(rows)) - np.repeat(starts, sizes)
        kept = rank < rules.MEMBERS_PER_PROBLEM
        if not kept.all():
            rows = rows[kept]
            sizes = np.minimum(sizes, rules.MEMBERS_PER_PROBLEM)
            starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        return rows, sizes, starts

    def _choose(self, report: rules.Report, at: int) -> rules.Choice:
        rows, sizes, starts = self._live(at)
        if not report.has_text:
            return self._by_reason(report, rows, sizes, starts)
        if not len(rows):
            return rules.Choice(None, "embedding" if report.vector is not None else "lexical")
        m, a = self._m, self._m.arrays
        lexed = self.lexicon.of(report.lexical)
        lex, n = self.lexicon, m.n
        # The columns of rules.pair_features' flags, with the same values (counts of shared
        # ids are the sizes of the sets' intersections).
        n_n = a["n_numbers"][rows]
        shared_n = m.numbers.shared(lex.numbers, lexed.numbers, n)[rows] > 0
        has_n = len(lexed.numbers) > 0
        shared_n &= has_n
        flags = np.empty((len(rows), 9))
        zh = a["zh"][rows]
        flags[:, 0] = zh != lexed.zh
        flags[:, 1] = shared_n
        flags[:, 2] = has_n & (n_n > 0) & ~shared_n
        flags[:, 3] = a["reason"][rows] == report.reason_id
        flags[:, 4] = a["customer"][rows] == report.customer_id
        # Shared defect concepts (questions, parcels, invoices are no defect), concepts that
        # differ (all of them), and n-grams, as rules.pair_features computes them.
        for col, differ, ids, vocabulary, mine, counts in (
            (5, False, m.defects, lex.concepts, lexed.defects, a["n_defects"]),
            (6, True, m.concepts, lex.concepts, lexed.concepts, a["n_concepts"]),
            (7, False, m.grams, lex.grams, lexed.grams, a["n_grams"]),
        ):
            theirs = counts[rows]
            both = (theirs > 0) & (len(mine) > 0)
            shared = ids.shared(vocabulary, mine, n)[rows]
            if differ:
                flags[:, col] = both & (shared == 0)
                continue
            # |a & b| / sqrt(|a| |b|), the product of the sizes an exact integer made float
            np.divide(
                shared, np.sqrt(len(mine) * theirs, dtype=float), out=flags[:, col], where=both
            )
            flags[:, col][~both] = 0.0
        flags[:, 8] = zh
        by_vector = a["has_vector"][rows] & (report.vector is not None)
        matrix = m.matrix[rows[by_vector]] if by_vector.any() else None
        x = rules.evidence(report, flags, by_vector, matrix)
        keys = a["key"][rows[starts]]
        last = np.maximum.reduceat(a["at"][rows], starts)
        return rules.pick(
            report,
            x,
            by_vector,
            sizes=sizes,
            recency=list(zip(last.tolist(), (-keys).tolist(), strict=True)),
            keys=keys.tolist(),
            contact_ids=a["cid"][rows].tolist(),
        )

    def _by_reason(
        self, report: rules.Report, rows: np.ndarray, sizes: np.ndarray, starts: np.ndarray
    ) -> rules.Choice:
        """rules._by_reason over the live members: the most recently active problem whose
        most frequent reason (the lowest id among equals) is the report's."""
        a = self._m.arrays
        best: tuple[int, int, int] | None = None  # (last_at, -key, row of its last member)
        for start, size in zip(starts.tolist(), sizes.tolist(), strict=True):
            group = rows[start : start + size]
            reasons, counts = np.unique(a["reason"][group], return_counts=True)
            main = int(reasons[np.argmax(counts)])  # np.unique sorts: the lowest id wins ties
            if main != report.reason_id:
                continue
            key = int(a["key"][group[0]])
            candidate = (int(a["at"][group].max()), -key, int(group[-1]))
            if best is None or candidate[:2] > best[:2]:
                best = candidate
        if best is None:
            return rules.Choice(None, "reason")
        return rules.Choice(-best[1], "reason", 1.0, int(a["cid"][best[2]]), 0.0)

    def _prune(self, at: int) -> None:
        """Forget problems whose members all fell out of the window (once a day of reports):
        the contacts come in report order, so they can never be candidates again. Their rows
        go too, with the members dropped from their problems, when they are most of them."""
        if self.pruned_at is not None and at - self.pruned_at < DAY_US:
            return
        self.pruned_at = at
        start = at - WINDOW_US
        pinned = self._m.arrays["pinned"]
        alive = self._m.arrays["alive"]
        for key in [
            k
            for k, p in self.candidates.items()
            if p.last_at < start and not pinned[p.members].any()
        ]:
            alive[self.candidates.pop(key).members] = False
        n = self._m.n
        if n > 256 and alive[:n].sum() < n // 2:
            remap = self._m.compact(np.flatnonzero(alive[:n]))
            for p in self.candidates.values():
                p.members = remap[p.members].tolist()


def replays_for(seeds: dict[int, Seed], counts: dict[int, int]) -> dict[int, Replay]:
    """One replay per product, sharing one lexicon; `counts` the reports each will place."""
    lexicon = Lexicon()
    return {p: Replay(p, seeds.get(p), lexicon=lexicon, expected=counts[p]) for p in counts}
