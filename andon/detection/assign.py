"""Assigning one contact to a problem as it is recorded, and what the other ways share (the
contact as read, labels). A set at a time (an import) is batch.py, a whole product again (a
rebuild) services.py through replay.py: all three take the same decision (`rules.choose`,
or replay.py's same numbers) over the same candidates, in the order the contacts were
reported, so a rebuild gives the answer online assignment gave (corrections aside, which it
applies from the start).

Contract: callers own the transaction. Nothing here locks a listing, an andon or a contact:
a pull never waits for detection. Concurrent assignments of one product may each open a
problem for the same new defect; the next report joins one of them, and a team lead merges.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from django.db import connection
from django.db.models import Q

from andon.contacts.models import Contact

from . import embedding, rules
from .models import Assignment, Problem, ProblemState
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
    else:  # microseconds since the epoch (see _candidates_sql)
        rows = [(*r[:4], _EPOCH + dt.timedelta(microseconds=r[4]), *r[5:]) for r in rows]
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
    ORM cost more CPU than the database spends running it. On PostgreSQL the report's moment
    comes as whole microseconds since the epoch (exact: EXTRACT gives a numeric), because
    Django's loader of a timestamp with time zone runs in Python and took a third of this
    read's CPU for a busy product's 400 rows (1.3 against 0.5 ms)."""
    q = connection.ops.quote_name
    a, c, p = (q(m._meta.db_table) for m in (Assignment, Contact, Problem))
    at = "a.reported_at"
    if vendor == "postgresql":
        at = "(EXTRACT(EPOCH FROM a.reported_at) * 1000000)::bigint"
    part = (
        f"SELECT a.contact_id, a.problem_id, a.customer_id, a.reason_id, {at}, "
        f"a.pinned, c.{q('text')}, LENGTH(a.vector), pr.label_zh, pr.label_en "
        f"FROM {a} a JOIN {p} pr ON pr.id = a.problem_id JOIN {c} c ON c.id = a.contact_id "
        f"WHERE a.product_id = %s AND a.reported_at >= %s AND a.reported_at <= %s "
        f"AND pr.state = %s AND a.pinned = %s "
        f"ORDER BY a.reported_at DESC, a.contact_id DESC LIMIT %s"
    )
    return f"SELECT * FROM ({part}) pinned_part UNION ALL SELECT * FROM ({part}) rest_part"


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _sqlite_datetime(value: str | dt.datetime) -> dt.datetime:
    """A raw SQLite timestamp (naive UTC, parsed or not by the driver) as Django reads it."""
    parsed = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


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


def unassigned_contact_ids(*, product_id: int | None = None) -> list[int]:
    qs = Contact.objects.filter(assignment__isnull=True)
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    return list(qs.order_by("created_at", "id").values_list("id", flat=True))


def problems_referenced() -> Q:
    """Problems an andon cites (the relation is declared by the cord, above this layer)."""
    return Q(andons__isnull=False)
