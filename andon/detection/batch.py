"""Assigning a set of contacts at once (an import, `andon detection pending`): one read of the
contacts, their vectors encoded in the background, one read of the candidates for 200
products, each product's reports decided in report order by a `replay.Replay`, bulk writes.
The same choices as assigning the contacts one at a time in that order (assign.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from django.db import connection
from django.db.models import Field, ForeignKey

from andon.contacts.models import Contact, ReasonCode

from . import embedding, rules
from .assign import INCOMING_FIELDS, Incoming, _lexical, labels_for
from .models import Assignment, Method, Problem
from .replay import Replay, replays_for
from .span import candidates_many


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
