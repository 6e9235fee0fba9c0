"""Assigning a set of contacts at once (an import, `andon detection pending`): one read of the
contacts, their vectors encoded in the background, one read of the candidates for 200
products, each product's reports decided in report order by a `replay.Replay`, bulk writes.
The same choices as assigning the contacts one at a time in that order (assign.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

import numpy as np
from django.db import connection
from django.db.models import Field, ForeignKey

from andon.contacts.models import Contact, ReasonCode

from . import embedding, rules
from .assign import INCOMING_FIELDS, Incoming, _lexical, _sqlite_datetime, labels_for
from .members import Seed, micros
from .models import Assignment, Method, Problem, ProblemState
from .replay import Replay, replays_for


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
    """Assign the given contacts that have no problem yet, set-based (see the module
    docstring). Returns how many were assigned."""
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
    seeds = candidates_many({p: its[-1].at for p, its in by_product.items()})
    replays = replays_for(seeds, {p: len(its) for p, its in by_product.items()})
    placed: dict[int, list[tuple[Incoming, rules.Choice]]] = {p: [] for p in by_product}
    # In report order across products (each product's replay sees its own contacts in order,
    # as before): the vectors arrive in that order.
    for it in items:
        vector = vectors.get(it.contact_id)
        placed[it.product_id].append((it, replays[it.product_id].place(it, vector)))
    keys = write_new_problems_many(placed)
    rows = [
        assignment_row(it, vectors.get(it.contact_id), ch, keys[product_id])
        for product_id, product_placed in placed.items()
        for it, ch in product_placed
    ]
    assignments_insert(rows)
    if progress:
        progress(len(rows))
    return len(rows)


def candidates_many(ats: dict[int, dt.datetime]) -> dict[int, Seed]:
    """Each product's candidates before its time in `ats` (an import's last report of it), as
    `assign.candidates_of` reads them (the same window, the same cut of CANDIDATE_REPORTS rows
    and MEMBERS_PER_PROBLEM a problem, the same order), in one read per 200 products: the
    rows of the span that covers their windows, each product's own window and cut applied as
    they stream. Timestamps come as integer microseconds on PostgreSQL (parsing 100,000
    timestamps cost more than deciding on them), vectors are decoded once a read."""
    out: dict[int, Seed] = {}
    products = sorted(ats)
    span = dt.timedelta(days=rules.WINDOW_DAYS)
    adapt = connection.ops.adapt_datetimefield_value
    sqlite = connection.vendor == "sqlite"
    for start in range(0, len(products), 200):
        part = products[start : start + 200]
        highs = {p: micros(ats[p]) for p in part}
        lows = {p: micros(ats[p] - span) for p in part}
        kept: dict[int, list[tuple]] = {p: [] for p in part}
        with connection.cursor() as cur:
            cur.execute(
                _many_sql(connection.vendor, len(part)),
                [
                    *part,
                    adapt(min(ats[p] for p in part) - span),
                    adapt(max(ats[p] for p in part)),
                    ProblemState.OPEN,
                ],
            )
            for row in cur.fetchall():
                product_id, at = row[0], row[5]
                if sqlite:
                    at = micros(_sqlite_datetime(at))
                rows = kept[product_id]
                if (
                    len(rows) < rules.CANDIDATE_REPORTS
                    and lows[product_id] <= at <= highs[product_id]
                ):
                    rows.append((*row[1:5], at, bool(row[6]), row[7], row[8]))
        out.update(_seeds(kept))
    return out


@lru_cache(maxsize=8)
def _many_sql(vendor: str, products: int) -> str:
    q = connection.ops.quote_name
    a, c, p = (q(m._meta.db_table) for m in (Assignment, Contact, Problem))
    at = (
        "(EXTRACT(EPOCH FROM a.reported_at) * 1000000)::bigint"
        if vendor == "postgresql"
        else "a.reported_at"
    )
    marks = ", ".join(["%s"] * products)
    return (
        f"SELECT a.product_id, a.contact_id, a.problem_id, a.customer_id, a.reason_id, {at}, "
        f"a.pinned, c.{q('text')}, a.vector "
        f"FROM {a} a JOIN {p} pr ON pr.id = a.problem_id JOIN {c} c ON c.id = a.contact_id "
        f"WHERE a.product_id IN ({marks}) AND a.reported_at >= %s AND a.reported_at <= %s "
        f"AND pr.state = %s "
        f"ORDER BY a.product_id, a.pinned DESC, a.reported_at DESC, a.contact_id DESC"
    )


def _seeds(kept: dict[int, list[tuple]]) -> dict[int, Seed]:
    """Seeds from each product's cut rows (corrected first, then the newest): at most
    MEMBERS_PER_PROBLEM a problem, each problem's members oldest first, as `assign.
    _candidates` orders them. One decoding of all the products' vectors."""
    ordered: dict[int, list[tuple]] = {}
    for product_id, rows in kept.items():
        per_problem: dict[int, list[tuple]] = {}
        for row in rows:
            members = per_problem.setdefault(row[1], [])
            if len(members) < rules.MEMBERS_PER_PROBLEM:
                members.append(row)
        ordered[product_id] = [row for ms in per_problem.values() for row in reversed(ms)]
    matrix, has = embedding.decoded([row[7] for rows in ordered.values() for row in rows])
    out: dict[int, Seed] = {}
    at = 0
    for product_id, rows in ordered.items():
        if not rows:
            continue
        n = len(rows)
        cid, key, customer, reason, when, pinned, texts, _ = zip(*rows, strict=True)
        out[product_id] = Seed(
            list(key),
            list(cid),
            list(customer),
            list(reason),
            list(when),
            list(pinned),
            [_lexical(t) for t in texts],
            matrix[at : at + n],
            has[at : at + n],
        )
        at += n
    return out


def write_new_problems(
    product_id: int, replay: Replay, placed: list[tuple[Incoming, rules.Choice]]
) -> dict[int, int]:
    """Create the problems a replay opened (negative keys) and fill missing labels of the
    existing ones; returns key -> problem id."""
    return write_new_problems_many({product_id: placed})[product_id]


def write_new_problems_many(
    placed: dict[int, list[tuple[Incoming, rules.Choice]]],
) -> dict[int, dict[int, int]]:
    """`write_new_problems` for many products' replays at once: one insert of all the new
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


# An assignment row as `assignments_insert` writes it, in the order of these columns.
COLUMNS = (
    "contact_id",
    "problem_id",
    "product_id",
    "customer_id",
    "reason_id",
    "reported_at",
    "vector",
    "method",
    "score",
    "matched_contact_id",
    "similarity",
    "pinned",
    "corrected_by_id",
    "corrected_at",
)


def assignment_row(
    it: Incoming, vector: np.ndarray | None, ch: rules.Choice, keys: dict[int, int]
) -> list:
    return [
        it.contact_id,
        keys[_key(ch)],
        it.product_id,
        it.customer_id,
        it.reason_id,
        it.at,
        embedding.to_bytes(vector),
        ch.method,
        ch.score,
        ch.matched_contact_id,
        ch.similarity,
        ch.method == Method.MANUAL,
        None,
        None,
    ]


def assignments_insert(rows: Sequence[Sequence]) -> None:
    """Write assignment rows (COLUMNS). On PostgreSQL one statement a 5,000 rows, the columns
    as arrays through unnest: 14 parameters a statement instead of 14 a row (psycopg parses
    and adapts a 7,000-parameter VALUES list in Python; the ORM builds a model a row)."""
    if not rows:
        return
    fields = [_field(name) for name in COLUMNS]
    table = connection.ops.quote_name(Assignment._meta.db_table)
    names = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            casts = ", ".join(f"%s::{_db_type(f)}[]" for f in fields)
            sql = f"INSERT INTO {table} ({names}) SELECT * FROM unnest({casts})"
            for start in range(0, len(rows), 5000):
                part = rows[start : start + 5000]
                cur.execute(sql, [list(column) for column in zip(*part, strict=True)])
        else:
            adapt = connection.ops.adapt_datetimefield_value
            at, corrected = COLUMNS.index("reported_at"), COLUMNS.index("corrected_at")
            marks = ", ".join(["%s"] * len(fields))
            cur.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",
                [
                    [adapt(v) if i in (at, corrected) else v for i, v in enumerate(row)]
                    for row in rows
                ],
            )


def _field(name: str) -> Field:
    field = Assignment._meta.get_field(name.removesuffix("_id"))
    assert isinstance(field, Field)
    return field


def _db_type(field: Field) -> str:
    """A column's type for an array cast (a foreign key's is its target's)."""
    if isinstance(field, ForeignKey):
        return str(field.target_field.rel_db_type(connection))
    return str(field.db_type(connection))
