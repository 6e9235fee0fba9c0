"""A product's members as arrays for the batch replay (replay.py): one row a member (time,
contact, corrected, reason, customer, problem, still a member, language, vector), the
vectors as one matrix, and the lexical evidence as ids of a vocabulary shared by the batch,
so that overlaps with a report are counts of shared ids over all members at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from . import embedding, rules
from .text import Lexical

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
WINDOW_US = rules.WINDOW_DAYS * 86_400 * 1_000_000
DAY_US = 86_400 * 1_000_000


def micros(at: dt.datetime) -> int:
    """A timestamp as integer microseconds since the epoch: exact, and ordered as the
    datetimes are (so the cut's order and the window are the same as with datetimes)."""
    return (at - EPOCH) // dt.timedelta(microseconds=1)


class Vocabulary:
    """Ids for strings (n-grams, numbers or concepts), and a reusable mark per id: overlaps of
    a report with many members become counts of marked ids."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.marks = np.zeros(1024, dtype=bool)

    def of(self, words: Iterable[str]) -> np.ndarray:
        ids = self.ids
        out = [ids.setdefault(w, len(ids)) for w in words]
        if len(ids) > len(self.marks):
            self.marks = np.zeros(2 * len(ids), dtype=bool)
        return np.array(out, dtype=np.int64)


@dataclass(frozen=True)
class Lexed:
    """A text's lexical evidence as vocabulary ids."""

    grams: np.ndarray
    concepts: np.ndarray
    defects: np.ndarray  # the concepts that are defects (ids of the concepts' vocabulary)
    numbers: np.ndarray
    zh: bool


class Lexicon:
    """The three vocabularies of one batch, and each distinct text's ids (a text is lexed
    once whatever the number of contacts that say it)."""

    def __init__(self) -> None:
        self.grams, self.concepts, self.numbers = Vocabulary(), Vocabulary(), Vocabulary()
        # By the Lexical object's identity (the lexical cache hands out one object per text;
        # hashing its sets for every member cost more than the lookup saves). The object is
        # kept beside its ids, so its id cannot be reused while it is here.
        self._texts: dict[int, tuple[Lexical, Lexed]] = {}

    def of(self, lexical: Lexical) -> Lexed:
        got = self._texts.get(id(lexical))
        if got is not None and got[0] is lexical:
            return got[1]
        lexed = Lexed(
            self.grams.of(lexical.grams),
            self.concepts.of(lexical.concepts),
            self.concepts.of(lexical.defects),
            self.numbers.of(lexical.numbers),
            lexical.language == "zh",
        )
        self._texts[id(lexical)] = (lexical, lexed)
        return lexed


class Ids:
    """Members' ids of one kind, concatenated (buffers that grow by doubling), with the
    member each belongs to."""

    def __init__(self) -> None:
        self.size = 0
        self._ids = np.zeros(256, dtype=np.int64)
        self._owner = np.zeros(256, dtype=np.int64)

    def add(self, ids: np.ndarray, owners: np.ndarray | int) -> None:
        end = self.size + len(ids)
        if end > len(self._ids):
            grown = max(2 * len(self._ids), end)
            self._ids = np.concatenate(
                [self._ids[: self.size], np.zeros(grown - self.size, np.int64)]
            )
            self._owner = np.concatenate(
                [self._owner[: self.size], np.zeros(grown - self.size, np.int64)]
            )
        self._ids[self.size : end] = ids
        self._owner[self.size : end] = owners
        self.size = end

    def shared(self, vocabulary: Vocabulary, report: np.ndarray, n: int) -> np.ndarray:
        """How many of the report's ids each of the n members has (float counts)."""
        if not len(report) or not self.size:
            return np.zeros(n)
        marks = vocabulary.marks
        marks[report] = True
        hits = marks[self._ids[: self.size]]
        marks[report] = False
        return np.bincount(self._owner[: self.size], weights=hits, minlength=n)

    def keep(self, remap: np.ndarray) -> None:
        """Drop the ids of members mapped to -1, renumber the others."""
        owner = remap[self._owner[: self.size]]
        kept = owner >= 0
        ids, owner = self._ids[: self.size][kept], owner[kept]
        self.size = 0
        self.add(ids, owner)


@dataclass
class Seed:
    """A product's members as a candidates' read gives them, each problem's members in the
    order `rules.Candidate` keeps them (see batch.candidates_many): columns, one entry a
    member; `vectors` one row each (zeros where `has_vector` is False)."""

    keys: list[int]
    contact_ids: list[int]
    customer_ids: list[int]
    reason_ids: list[int]
    at: list[int]  # micros()
    pinned: list[bool]
    lexicals: list[Lexical]
    vectors: np.ndarray
    has_vector: np.ndarray

    @classmethod
    def of(cls, candidates: dict[int, rules.Candidate]) -> Seed:
        members = [(key, m) for key, c in candidates.items() for m in c.members]
        like = next(
            (m.vector for _, m in members if m.vector is not None),
            np.zeros(embedding.DIM, dtype=np.float32),
        )
        blank = np.zeros_like(like)
        return cls(
            [key for key, _ in members],
            [m.contact_id for _, m in members],
            [m.customer_id for _, m in members],
            [m.reason_id for _, m in members],
            [micros(m.at) for _, m in members],
            [m.pinned for _, m in members],
            [m.lexical for _, m in members],
            np.array(
                [blank if m.vector is None else m.vector for _, m in members], dtype=like.dtype
            ).reshape(len(members), len(like)),
            np.array([m.vector is not None for _, m in members], dtype=bool),
        )


_COLUMNS = ("at", "cid", "pinned", "reason", "customer", "key", "alive", "zh", "has_vector")
_COUNTS = ("n_grams", "n_concepts", "n_defects", "n_numbers")


@dataclass
class Members:
    """One product's members, one row each: in the window or not, alive (still in its
    problem's member list) or dropped."""

    lexicon: Lexicon
    capacity: int = 64
    n: int = 0
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    # Vectors' rows; as wide as the first vector (the model's 512; tests use fewer).
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    grams: Ids = field(default_factory=Ids)
    concepts: Ids = field(default_factory=Ids)
    defects: Ids = field(default_factory=Ids)
    numbers: Ids = field(default_factory=Ids)

    def __post_init__(self) -> None:
        self._allocate(self.capacity)

    def _allocate(self, capacity: int) -> None:
        old, n = self.arrays, self.n
        kinds = {"pinned": bool, "alive": bool, "zh": bool, "has_vector": bool}
        self.arrays = {
            name: np.zeros(capacity, dtype=kinds.get(name, np.int64)) for name in _COLUMNS + _COUNTS
        }
        for name, values in old.items():
            self.arrays[name][:n] = values[:n]
        matrix = np.zeros((capacity, self.matrix.shape[1]), dtype=self.matrix.dtype)
        matrix[:n] = self.matrix[:n]
        self.matrix, self.capacity = matrix, capacity

    def _widen(self, like: np.ndarray) -> None:
        """The matrix takes the vectors' width and type (the numbers compared are theirs)."""
        width = like.shape[-1]
        if self.matrix.shape[1] != width or self.matrix.dtype != like.dtype:
            if self.matrix.shape[1] and self.arrays["has_vector"][: self.n].any():
                raise ValueError("vectors of different kinds in one product")
            self.matrix = np.zeros((self.capacity, width), dtype=like.dtype)

    def add(self, report: rules.Report, key: int) -> int:
        if self.n == self.capacity:
            self._allocate(2 * self.capacity)
        i = self.n
        self.n += 1
        lexed = self.lexicon.of(report.lexical)
        a = self.arrays
        a["at"][i] = micros(report.at)
        a["cid"][i] = report.contact_id
        a["pinned"][i] = report.pinned
        a["reason"][i] = report.reason_id
        a["customer"][i] = report.customer_id
        a["key"][i] = key
        a["alive"][i] = True
        a["zh"][i] = lexed.zh
        a["has_vector"][i] = report.vector is not None
        if report.vector is not None:
            self._widen(report.vector)
            self.matrix[i] = report.vector
        for ids, mine, name in (
            (self.grams, lexed.grams, "n_grams"),
            (self.concepts, lexed.concepts, "n_concepts"),
            (self.defects, lexed.defects, "n_defects"),
            (self.numbers, lexed.numbers, "n_numbers"),
        ):
            ids.add(mine, i)
            a[name][i] = len(mine)
        return i

    def extend(self, seed: Seed) -> np.ndarray:
        """Rows for a product's members as read (see Seed); returns their rows."""
        k = len(seed.keys)
        if self.n + k > self.capacity:
            self._allocate(max(2 * self.capacity, self.n + k))
        rows = np.arange(self.n, self.n + k)
        a = self.arrays
        lexed = [self.lexicon.of(lexical) for lexical in seed.lexicals]
        for name, values in (
            ("at", seed.at),
            ("cid", seed.contact_ids),
            ("pinned", seed.pinned),
            ("reason", seed.reason_ids),
            ("customer", seed.customer_ids),
            ("key", seed.keys),
            ("alive", True),
            ("zh", [x.zh for x in lexed]),
            ("has_vector", seed.has_vector),
            ("n_grams", [len(x.grams) for x in lexed]),
            ("n_concepts", [len(x.concepts) for x in lexed]),
            ("n_defects", [len(x.defects) for x in lexed]),
            ("n_numbers", [len(x.numbers) for x in lexed]),
        ):
            a[name][rows] = values
        self._widen(seed.vectors)
        self.matrix[rows] = seed.vectors
        for ids, kind in (
            (self.grams, "grams"),
            (self.concepts, "concepts"),
            (self.defects, "defects"),
            (self.numbers, "numbers"),
        ):
            parts = [getattr(x, kind) for x in lexed]
            sizes = [len(p) for p in parts]
            if sum(sizes):
                ids.add(np.concatenate(parts), np.repeat(rows, sizes))
        self.n += k
        return rows

    def compact(self, keep: np.ndarray) -> np.ndarray:
        """Keep only the rows in `keep` (ascending); returns old row -> new row (-1 gone)."""
        remap = np.full(self.n, -1, dtype=np.int64)
        remap[keep] = np.arange(len(keep))
        for values in self.arrays.values():
            values[: len(keep)] = values[keep]
        self.matrix[: len(keep)] = self.matrix[keep]
        self.n = len(keep)
        for ids in (self.grams, self.concepts, self.defects, self.numbers):
            ids.keep(remap)
        return remap
