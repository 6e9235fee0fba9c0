"""The candidates of many products at once, for an import's replay (batch.py): the same
members, in the same order, as `assign.candidates_of` reads for each product alone.

One read per 200 products returns every open problem's row of the span that covers their
windows, unordered; the window, the order of the cut (corrected first, then the newest, the
contact id breaking ties), the cut of CANDIDATE_REPORTS rows a product and
MEMBERS_PER_PROBLEM a problem, and the members' order (problems by their first member in the
cut, each problem's members oldest first) are array operations over the read's columns. The
server sorting the ~1 KB rows was more than half of the read (on disk past work_mem), and
doing the cut row by row in Python most of the rest (bench/RESULTS-detection.md).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
from django.db import connection

from andon.contacts.models import Contact

from . import embedding, rules
from .assign import _lexical, _sqlite_datetime
from .members import Seed, micros
from .models import Assignment, Problem, ProblemState

PRODUCTS_A_READ = 200


def candidates_many(ats: dict[int, dt.datetime]) -> dict[int, Seed]:
    """Each product's candidates before its time in `ats` (an import's last report of it).
    Timestamps come as integer microseconds on PostgreSQL (parsing 100,000 timestamps cost
    more than deciding on them), vectors are decoded once a read."""
    out: dict[int, Seed] = {}
    products = sorted(ats)
    span = dt.timedelta(days=rules.WINDOW_DAYS)
    for start in range(0, len(products), PRODUCTS_A_READ):
        part = products[start : start + PRODUCTS_A_READ]
        rows = _span_rows(part, min(ats[p] for p in part) - span, max(ats[p] for p in part))
        if rows:
            window = (
                np.array([micros(ats[p] - span) for p in part], dtype=np.int64),
                np.array([micros(ats[p]) for p in part], dtype=np.int64),
            )
            out.update(_seeds(np.array(part, dtype=np.int64), window, rows))
    return out


def _seeds(
    part: np.ndarray, window: tuple[np.ndarray, np.ndarray], rows: list[tuple]
) -> dict[int, Seed]:
    """The seeds of a read's products (`part`, ascending; `window` their lows and highs)."""
    product_, cid_, key_, customer, reason, at_, pinned_, texts, blobs = zip(*rows, strict=True)
    product, cid, key = (np.array(c, dtype=np.int64) for c in (product_, cid_, key_))
    at, pinned = np.array(at_, dtype=np.int64), np.array(pinned_, dtype=bool)
    slot = np.searchsorted(part, product)
    inside = np.flatnonzero((at >= window[0][slot]) & (at <= window[1][slot]))
    # The cut's order (ORDER BY product, pinned DESC, reported_at DESC, contact DESC), and at
    # most CANDIDATE_REPORTS rows a product.
    cut = inside[np.lexsort((-cid[inside], -at[inside], ~pinned[inside], product[inside]))]
    cut = cut[_ranks(product[cut]) < rules.CANDIDATE_REPORTS]
    # At most MEMBERS_PER_PROBLEM a problem, its first in the cut; then each product's
    # problems in the order of their first member in the cut, each one's members oldest
    # first (the reverse of the cut), as rules.Candidate holds them.
    position = np.arange(len(cut))
    grouped = np.lexsort((position, key[cut], product[cut]))
    ranks = _ranks(product[cut][grouped], key[cut][grouped])
    first = position[grouped][ranks == 0]
    problem_first = np.repeat(first, np.bincount(np.cumsum(ranks == 0) - 1))
    kept = ranks < rules.MEMBERS_PER_PROBLEM
    members = grouped[kept]
    members = members[np.lexsort((-members, problem_first[kept], product[cut][members]))]
    ordered = cut[members].tolist()
    matrix, has = embedding.decoded([blobs[i] for i in ordered])
    columns = [[c[i] for i in ordered] for c in (key_, cid_, customer, reason, at_, pinned_, texts)]
    out: dict[int, Seed] = {}
    bounds = np.flatnonzero(np.diff(product[cut][members])) + 1
    for lo, hi in zip([0, *bounds.tolist()], [*bounds.tolist(), len(ordered)], strict=True):
        keys, cids, customers, reasons, ats, pins, words = (c[lo:hi] for c in columns)
        out[int(product[ordered[lo]])] = Seed(
            keys,
            cids,
            customers,
            reasons,
            ats,
            [bool(p) for p in pins],
            [_lexical(t) for t in words],
            matrix[lo:hi],
            has[lo:hi],
        )
    return out


def _ranks(*columns: np.ndarray) -> np.ndarray:
    """Each row's position within its run of equal values of `columns` (sorted by them)."""
    n = len(columns[0])
    if not n:
        return np.zeros(0, dtype=np.int64)
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for c in columns:
        change[1:] |= c[1:] != c[:-1]
    starts = np.flatnonzero(change)
    return np.arange(n) - np.repeat(starts, np.diff(np.append(starts, n)))


def _span_rows(products: list[int], low: dt.datetime, high: dt.datetime) -> list[tuple]:
    """The open problems' rows of `products` reported in [low, high], unordered, their time
    as integer microseconds. On PostgreSQL in binary (the vectors as bytes, not hex text that
    psycopg decodes), through a cursor of the same connection and transaction: Django's
    cursors bind on the client, which cannot ask for binary results."""
    sql = _many_sql(connection.vendor)
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cur:
            cur.execute(sql, [products, low, high, ProblemState.OPEN], binary=True)
            return cur.fetchall()
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cur:
        cur.execute(
            sql.replace("= ANY(%s)", f"IN ({', '.join(['%s'] * len(products))})"),
            [*products, adapt(low), adapt(high), ProblemState.OPEN],
        )
        return [(*row[:5], micros(_sqlite_datetime(row[5])), *row[6:]) for row in cur.fetchall()]


@lru_cache(maxsize=2)
def _many_sql(vendor: str) -> str:
    q = connection.ops.quote_name
    a, c, p = (q(m._meta.db_table) for m in (Assignment, Contact, Problem))
    at = (
        "(EXTRACT(EPOCH FROM a.reported_at) * 1000000)::bigint"
        if vendor == "postgresql"
        else "a.reported_at"
    )
    return (
        f"SELECT a.product_id, a.contact_id, a.problem_id, a.customer_id, a.reason_id, {at}, "
        f"a.pinned, c.{q('text')}, a.vector "
        f"FROM {a} a JOIN {p} pr ON pr.id = a.problem_id JOIN {c} c ON c.id = a.contact_id "
        f"WHERE a.product_id = ANY(%s) AND a.reported_at >= %s AND a.reported_at <= %s "
        f"AND pr.state = %s"
    )
