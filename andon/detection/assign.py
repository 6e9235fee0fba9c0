"""Assigning contacts to problems: one at a time (a contact being recorded), a set at a time
(an import) and a whole product again (a rebuild). All three run the same decision
(`rules.choose`) over the same candidates, in the order the contacts were reported, so a
rebuild gives the answer online assignment gave (corrections aside, which it applies from the
start).

Contract: callers own the transaction. Nothing here locks a listing, an andon or a contact:
a pull never waits for detection. Concurrent assignments of one product may each open a
problem for the same new defect; the next report joins one of them, and a team lead merges.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from django.db import connection
from django.db.models import Q

from andon.contacts.models import Contact, ReasonCode

from . import embedding, rules
from .models import Assignment, Method, Problem, ProblemState
from .text import label_from, language_of, lexical_of

_lexical = lru_cache(maxsize=50_000)(lexical_of)


@dataclass(frozen=True)
class Incoming:
    """A contact to assign, as read in one query."""

    contact_id: int
    product_id: int
    customer_id: int
    reason_id: int
    at: dt.datetime
    text: str

    def report(self, vector: np.ndarray | None = None, pinned: bool = False) -> rules.Report:
        return rules.Report(
            contact_id=self.contact_id,
            customer_id=self.customer_id,
            reason_id=self.reason_id,
            at=self.at,
            lexical=_lexical(self.text),
            vector=vector,
            has_text=bool(self.text.strip()),
            pinned=pinned,
        )


INCOMING_FIELDS = ("id", "product_id", "customer_id", "reason_id", "created_at", "text")


def incoming_of(contact: Contact) -> Incoming:
    return Incoming(
        contact.pk,
        contact.product_id,
        contact.customer_id,
        contact.reason_id,
        contact.created_at,
        contact.text,
    )


_FIELDS = (
    "contact_id",
    "problem_id",
    "customer_id",
    "reason_id",
    "reported_at",
    "vector",
    "pinned",
    "contact__text",
)


# The online read takes the vectors' lengths, not the vectors. A stored vector is the model's
# vector of the contact's text (float16, unit again): the same text, the same vector. So a
# process keeps the decoded vectors it has read, by text, and reads from the database only
# those of texts it has not seen (a busy product's 400 members: ~400 KB less to read and
# decode per assignment).
VECTOR_CACHE = 30_000  # decoded vectors kept per process: 2 KB each, ~60 MB at most
_vectors: dict[str, np.ndarray] = {}


def _vectors_of(rows: Sequence[tuple[int, str, int]]) -> dict[int, np.ndarray | None]:
    """Decoded stored vectors of (contact id, text, stored length) rows, by contact: none
    where none is stored (assigned without the model), else from this process's cache, the
    others in one read."""
    missing = {cid: text for cid, text, size in rows if size and text not in _vectors}
    if missing:
        if len(_vectors) + len(missing) > VECTOR_CACHE:
            for old in list(_vectors)[: len(_vectors) // 2 + len(missing)]:
                del _vectors[old]
        ids = list(missing)
        for start in range(0, len(ids), 900):
            got, blobs = [], []
            for cid, blob in Assignment.objects.filter(
                contact_id__in=ids[start : start + 900]
            ).values_list("contact_id", "vector"):
                got.append(cid)
                blobs.append(blob)
            for cid, vec in zip(got, embedding.from_bytes_many(blobs), strict=True):
                if vec is not None:
                    _vectors[missing[cid]] = vec
    return {cid: _vectors.get(text) if size else None for cid, text, size in rows}


def candidates_of(
    *, product_id: int, at: dt.datetime, labels: dict[int, tuple[str, str]] | None = None
) -> dict[int, rules.Candidate]:
    """The product's open problems active in the window before `at`, through their corrected,
    then most recent, members: at most CANDIDATE_REPORTS rows. `labels`, when given, receives
    each candidate problem's (label_zh, label_en)."""
    n = rules.CANDIDATE_REPORTS
    adapt = connection.ops.adapt_datetimefield_value
    window = [adapt(at - dt.timedelta(days=rules.WINDOW_DAYS)), adapt(at)]
    with connection.cursor() as cur:
        cur.execute(
            _candidates_sql(connection.vendor),
            [product_id, *window, ProblemState.OPEN, True, n]
            + [product_id, *window, ProblemState.OPEN, False, n],
        )
        rows = cur.fetchall()
    if connection.vendor == "sqlite":  # a raw read: naive timestamps, integer booleans
        rows = [(*r[:4], _sqlite_datetime(r[4]), bool(r[5]), *r[6:]) for r in rows]
    newest_first = operator.itemgetter(4, 0)
    cut = sorted((r for r in rows if r[5]), key=newest_first, reverse=True)
    cut += sorted((r for r in rows if not r[5]), key=newest_first, reverse=True)
    cut = cut[:n]
    if labels is not None:
        labels.update((row[1], (row[8], row[9])) for row in cut)
    vectors = _vectors_of([(row[0], row[6], row[7]) for row in cut])
    return _candidates(
        [(c, p, cu, r, at, vectors[c], pinned, text) for c, p, cu, r, at, pinned, text, *_ in cut]
    )


@lru_cache(maxsize=2)
def _candidates_sql(vendor: str) -> str:
    """The candidates' read, written once per process: corrected members first, then the
    newest, as two parts each stopped at the cut in the order of the (product, reported_at)
    index (one read ordered by "pinned" first made the database sort a busy product's whole
    window, vectors and all: ~50 ms on SQLite for 2,000 rows), in one statement (a round trip
    less on the intake's path), with the problems' labels, and the vectors' lengths only
    (the process keeps decoded vectors by text: `_vectors_of`). Raw SQL: building it with the
    ORM cost more CPU than the database spends running it."""
    q = connection.ops.quote_name
    a, c, p = (q(m._meta.db_table) for m in (Assignment, Contact, Problem))
    part = (
        f"SELECT a.contact_id, a.problem_id, a.customer_id, a.reason_id, a.reported_at, "
        f"a.pinned, c.{q('text')}, LENGTH(a.vector), pr.label_zh, pr.label_en "
        f"FROM {a} a JOIN {p} pr ON pr.id = a.problem_id JOIN {c} c ON c.id = a.contact_id "
        f"WHERE a.product_id = %s AND a.reported_at >= %s AND a.reported_at <= %s "
        f"AND pr.state = %s AND a.pinned = %s "
        f"ORDER BY a.reported_at DESC, a.contact_id DESC LIMIT %s"
    )
    return f"SELECT * FROM ({part}) pinned_part UNION ALL SELECT * FROM ({part}) rest_part"


def _sqlite_datetime(value: str | dt.datetime) -> dt.datetime:
    """A raw SQLite timestamp (naive UTC, parsed or not by the driver) as Django reads it."""
    parsed = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def candidates_many(ats: dict[int, dt.datetime]) -> dict[int, dict[int, rules.Candidate]]:
    """`candidates_of` for many products (an import), in one read per 200 products: the rows
    of the span that covers their windows, in the cut's order, each product's own window and
    cut (the same order and the same 400 rows as `candidates_of`) applied here as they
    stream. (A window function ranking each product's own window, with a 200-branch OR of
    windows, cost ~3 ms a product to build and plan: more than the rows it saved.)"""
    out: dict[int, dict[int, rules.Candidate]] = {}
    products = sorted(ats)
    span = dt.timedelta(days=rules.WINDOW_DAYS)
    for start in range(0, len(products), 200):
        part = products[start : start + 200]
        lows = {p: ats[p] - span for p in part}
        rows: dict[int, list[tuple]] = {p: [] for p in part}
        for product_id, *row in (
            Assignment.objects.filter(
                product_id__in=part,
                reported_at__gte=min(lows.values()),
                reported_at__lte=max(ats[p] for p in part),
                problem__state=ProblemState.OPEN,
            )
            .order_by("product_id", "-pinned", "-reported_at", "-contact_id")
            .values_list("product_id", *_FIELDS)
            .iterator(chunk_size=2000)
        ):
            kept, at = rows[product_id], row[4]
            if len(kept) < rules.CANDIDATE_REPORTS and lows[product_id] <= at <= ats[product_id]:
                kept.append(tuple(row))
        out.update((p, _candidates(rows[p])) for p in part)
    return out


def _candidates(cut: Sequence[tuple]) -> dict[int, rules.Candidate]:
    """Candidates from the cut's rows (corrected first, then the newest), at most
    MEMBERS_PER_PROBLEM a problem, members oldest first as they would have been added. A
    row's vector is stored bytes, or already decoded (the online read's cache)."""
    kept = []
    per_problem: Counter[int] = Counter()
    for row in cut:
        if per_problem[row[1]] < rules.MEMBERS_PER_PROBLEM:
            per_problem[row[1]] += 1
            kept.append(row)
    decoded = [row[5] for row in kept if isinstance(row[5], np.ndarray) or row[5] is None]
    if len(decoded) == len(kept):
        vectors: list[np.ndarray | None] = decoded
    else:
        vectors = embedding.from_bytes_many([row[5] for row in kept])
    out: dict[int, rules.Candidate] = {}
    for (cid, pid, customer, reason, reported, _, pinned, text), vector in zip(
        kept, vectors, strict=True
    ):
        cand = out.setdefault(pid, rules.Candidate(pid))
        cand.members.append(
            rules.Report(
                cid,
                customer,
                reason,
                reported,
                _lexical(text),
                vector,
                bool(text.strip()),
                pinned,
            )
        )
        cand.reasons[reason] += 1
        cand.last_at = max(cand.last_at or reported, reported)
    for cand in out.values():
        cand.members.reverse()
    return out


def labels_for(text: str) -> dict[str, str]:
    if not text.strip():
        return {}
    return {f"label_{language_of(text)}": label_from(text)}


def problem_open(*, product_id: int, at: dt.datetime, text: str, fallback: str = "") -> Problem:
    labels = labels_for(text) or {"label_zh": fallback, "label_en": fallback}
    return Problem.objects.create(product_id=product_id, created_at=at, **labels)


def _joined(*, problem_id: int, product_id: int, labels: tuple[str, str], text: str) -> Problem:
    """The open candidate problem a contact joins, as read with the candidates (its other
    fields load if asked), its label in the contact's language filled when missing: a write
    only then (not a conditional UPDATE at every report)."""
    current = dict(zip(("label_zh", "label_en"), labels, strict=True))
    for name, label in labels_for(text).items():
        if not current[name] and Problem.objects.filter(pk=problem_id, **{name: ""}).update(
            **{name: label}
        ):
            current[name] = label
    return Problem.from_db(
        Problem.objects.db,
        ["id", "product_id", "label_zh", "label_en", "state"],
        [problem_id, product_id, current["label_zh"], current["label_en"], ProblemState.OPEN],
    )


def contact_assign(*, contact: Contact, wait_for_model: bool = False) -> Assignment:
    """Assign one contact (see the module docstring). Without the model at hand (`wait` False
    and not loaded yet) the lexical evidence decides. The assignment carries its problem."""
    item = incoming_of(contact)
    vector = _vectors.get(item.text) if embedding.enabled() else None
    soon = None
    if vector is None and item.text.strip() and (wait_for_model or embedding.ready()):
        # A text seen before is not encoded again (the same text, the same vector); a new
        # one is encoded on the model's pool while this thread reads the candidates.
        soon = embedding.vector_soon(item.text, wait=wait_for_model)
    elif vector is None and item.text.strip():
        embedding.warm_up()  # the lexical evidence decides until the model has loaded
    labels: dict[int, tuple[str, str]] = {}
    candidates = candidates_of(product_id=item.product_id, at=item.at, labels=labels)
    if soon is not None:
        fresh = soon.result()
        vector = fresh[0] if fresh is not None else None
        if vector is not None and len(_vectors) < VECTOR_CACHE:
            _vectors[item.text] = vector
    report = item.report(vector)
    choice = rules.choose(report, candidates.values())
    if choice.key is None:
        problem = problem_open(
            product_id=item.product_id, at=item.at, text=item.text, fallback=contact.reason.label
        )
    else:
        problem = _joined(
            problem_id=choice.key,
            product_id=item.product_id,
            labels=labels[choice.key],
            text=item.text,
        )
    return Assignment.objects.create(
        contact_id=item.contact_id,
        problem=problem,
        product_id=item.product_id,
        customer_id=item.customer_id,
        reason_id=item.reason_id,
        reported_at=item.at,
        vector=embedding.to_bytes(vector),
        method=choice.method,
        score=choice.score,
        matched_contact_id=choice.matched_contact_id,
        similarity=choice.similarity,
    )


@dataclass
class Replay:
    """Assignment of many contacts of one product in memory, in report order; problems that
    do not exist yet have negative keys until they are written."""

    product_id: int
    candidates: dict[int, rules.Candidate]
    next_key: int = -1
    pruned_at: dt.datetime | None = None

    def place(
        self, item: Incoming, vector: np.ndarray | None, pinned_key: int | None = None
    ) -> rules.Choice:
        self._prune(item.at)
        report = item.report(vector, pinned=pinned_key is not None)
        if pinned_key is not None:
            choice = rules.Choice(pinned_key, Method.MANUAL, 1.0)
        else:
            choice = rules.choose(report, self.candidates.values())
        key = choice.key
        if key is None:
            key = self.next_key
            self.next_key -= 1
            choice = rules.Choice(
                key, choice.method, choice.score, choice.matched_contact_id, choice.similarity
            )
        self.candidates.setdefault(key, rules.Candidate(key)).add(report)
        return choice

    def _prune(self, at: dt.datetime) -> None:
        """Forget problems whose members all fell out of the window (once a day of reports):
        the contacts come in report order, so they can never be candidates again."""
        if self.pruned_at is not None and at - self.pruned_at < dt.timedelta(days=1):
            return
        self.pruned_at = at
        start = at - dt.timedelta(days=rules.WINDOW_DAYS)
        for key in [
            k
            for k, c in self.candidates.items()
            if c.last_at is not None and c.last_at < start and not any(m.pinned for m in c.members)
        ]:
            del self.candidates[key]


class VectorsFor:
    """Unit vectors by contact id: stored ones reused, the others encoded in the background
    (each distinct text once, in the contacts' order), so that a replay decides the first
    contacts while the later ones are still being encoded. `get` waits for the part it needs."""

    def __init__(self, items: Sequence[Incoming], stored: dict[int, bytes] | None = None) -> None:
        stored = stored or {}
        known = [it.contact_id for it in items if stored.get(it.contact_id)]
        decoded = embedding.from_bytes_many([stored[cid] for cid in known])
        self._known: dict[int, np.ndarray | None] = dict(zip(known, decoded, strict=True))
        texts: dict[str, int] = {}
        self._index: dict[int, int] = {}
        for it in items:
            if it.contact_id not in self._known and it.text.strip():
                self._index[it.contact_id] = texts.setdefault(it.text, len(texts))
        self._pending = embedding.Pending(list(texts))

    def get(self, contact_id: int) -> np.ndarray | None:
        if contact_id in self._known:
            return self._known[contact_id]
        i = self._index.get(contact_id)
        return None if i is None else self._pending.get(i)


def vectors_for(items: Sequence[Incoming], stored: dict[int, bytes] | None = None) -> VectorsFor:
    return VectorsFor(items, stored)


def contacts_assign(
    *, contact_ids: Iterable[int], progress: Callable[[int], None] | None = None
) -> int:
    """Assign the given contacts that have no problem yet, set-based: one read of the
    contacts, vectors in batches, one read of candidates for 200 products, bulk writes.
    Returns how many were assigned."""
    items = [
        Incoming(*row)
        for row in Contact.objects.filter(id__in=list(contact_ids), assignment__isnull=True)
        .order_by("created_at", "id")
        .values_list(*INCOMING_FIELDS)
    ]
    if not items:
        return 0
    vectors = vectors_for(items)  # encoding starts in the background
    by_product: dict[int, list[Incoming]] = {}
    for it in items:
        by_product.setdefault(it.product_id, []).append(it)
        _lexical(it.text)  # meanwhile, in this thread
    candidates = candidates_many({p: its[-1].at for p, its in by_product.items()})
    replays = {p: Replay(p, candidates[p]) for p in by_product}
    placed: dict[int, list[tuple[Incoming, rules.Choice]]] = {p: [] for p in by_product}
    # In report order across products (each product's replay sees its own contacts in order,
    # as before): the vectors arrive in that order.
    for it in items:
        vector = vectors.get(it.contact_id)
        placed[it.product_id].append((it, replays[it.product_id].place(it, vector)))
    keys = _write_new_problems_many(placed)
    rows = [
        _assignment_row(it, vectors.get(it.contact_id), ch, keys[product_id])
        for product_id, product_placed in placed.items()
        for it, ch in product_placed
    ]
    Assignment.objects.bulk_create(rows, batch_size=500)
    if progress:
        progress(len(rows))
    return len(rows)


def _write_new_problems(
    product_id: int, replay: Replay, placed: list[tuple[Incoming, rules.Choice]]
) -> dict[int, int]:
    """Create the problems a replay opened (negative keys) and fill missing labels of the
    existing ones; returns key -> problem id."""
    return _write_new_problems_many({product_id: placed})[product_id]


def _write_new_problems_many(
    placed: dict[int, list[tuple[Incoming, rules.Choice]]],
) -> dict[int, dict[int, int]]:
    """`_write_new_problems` for many products' replays at once: one insert of all the new
    problems, one read of the existing ones' labels. Returns, per product, key -> id."""
    first: dict[tuple[int, int], dict[str, str]] = {}
    created_at: dict[tuple[int, int], dt.datetime] = {}
    textless: list[tuple[tuple[int, int], int]] = []
    for product_id, product_placed in placed.items():
        for it, ch in product_placed:
            # Every choice a replay made has a key (an existing problem or a new negative one).
            key = (product_id, _key(ch))
            labels = first.setdefault(key, {})
            for name, label in labels_for(it.text).items():
                labels.setdefault(name, label)
            created_at.setdefault(key, it.at)
            if key[1] < 0:
                textless.append((key, it.reason_id))
    # A problem opened by reports without text is named after the first one's reason code.
    unnamed = [(key, reason) for key, reason in textless if not first[key]]
    reasons = ReasonCode.objects.in_bulk({reason for _, reason in unnamed})
    for key, reason in unnamed:
        if not first[key] and reason in reasons:
            r = reasons[reason]
            first[key] = {"label_zh": r.label_zh, "label_en": r.label_en}
    new_keys = sorted((k for k in first if k[1] < 0), key=lambda k: (k[0], -k[1]))
    problems = Problem.objects.bulk_create(
        [Problem(product_id=k[0], created_at=created_at[k], **first[k]) for k in new_keys],
        batch_size=500,
    )
    keys: dict[int, dict[int, int]] = {product_id: {} for product_id in placed}
    for k, problem in zip(new_keys, problems, strict=True):
        keys[k[0]][k[1]] = problem.pk
    # Existing problems: one read of their labels, and a write only where a language's label
    # is still empty (rare: most problems already have the labels this import would give).
    existing = {k[1]: k for k in first if k[1] > 0}
    for pk, label_zh, label_en in Problem.objects.filter(pk__in=list(existing)).values_list(
        "pk", "label_zh", "label_en"
    ):
        have = {"label_zh": label_zh, "label_en": label_en}
        for name, label in first[existing[pk]].items():
            if not have[name]:  # still empty when written: a concurrent intake may be first
                Problem.objects.filter(pk=pk, **{name: ""}).update(**{name: label})
    for product_id, existing_or_new in first:
        keys[product_id].setdefault(existing_or_new, existing_or_new)
    return keys


def _key(choice: rules.Choice) -> int:
    if choice.key is None:
        raise ValueError("a replayed choice always has a problem key")
    return choice.key


def _assignment_row(
    it: Incoming, vector: np.ndarray | None, ch: rules.Choice, keys: dict[int, int]
) -> Assignment:
    return Assignment(
        contact_id=it.contact_id,
        problem_id=keys[_key(ch)],
        product_id=it.product_id,
        customer_id=it.customer_id,
        reason_id=it.reason_id,
        reported_at=it.at,
        vector=embedding.to_bytes(vector),
        method=ch.method,
        score=ch.score,
        matched_contact_id=ch.matched_contact_id,
        similarity=ch.similarity,
        pinned=ch.method == Method.MANUAL,
    )


def unassigned_contact_ids(*, product_id: int | None = None) -> list[int]:
    qs = Contact.objects.filter(assignment__isnull=True)
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    return list(qs.order_by("created_at", "id").values_list("id", flat=True))


def problems_referenced() -> Q:
    """Problems an andon cites (the relation is declared by the cord, above this layer)."""
    return Q(andons__isnull=False)
