"""Writes of the shared kernel: audit entries, outbox events and the consumers' places in it,
API token use and idempotency claims, always inside the caller's transaction (they never
commit one of their own)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import CharField, DateTimeField, Max, QuerySet, Value
from django.db.models.functions import JSONObject
from django.utils import timezone

from .models import ApiToken, AuditEntry, IdempotencyRecord, OutboxEvent, OutboxPlace, hash_token
from .selectors import OutboxRead
from .sql import model_columns


@dataclass(frozen=True)
class Audit:
    action: str
    subject_type: str
    subject_id: str | int
    andon_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    event_type: str
    payload: dict[str, Any]
    product_sku: str = ""


def audit_record(*, actor_id: int | None, at: dt.datetime, entries: Iterable[Audit]) -> None:
    AuditEntry.objects.bulk_create(
        AuditEntry(
            occurred_at=at,
            actor_id=actor_id,
            action=e.action,
            subject_type=e.subject_type,
            subject_id=str(e.subject_id),
            andon_id=e.andon_id,
            data=e.data,
        )
        for e in entries
    )


def outbox_emit(*, at: dt.datetime, events: Iterable[Event]) -> list[OutboxEvent]:
    """Append events; those of a product get the next numbers of its sequence.

    Contract: the caller holds the product's row lock (SELECT ... FOR UPDATE on the listing),
    so that max+1 cannot race; the unique constraint on (sku, sequence) backs this up.
    """
    created = OutboxEvent.objects.bulk_create(_outbox_rows(at, list(events)))
    _outbox_written(created)
    return created


def audit_and_outbox(
    *, actor_id: int | None, at: dt.datetime, entries: list[Audit], events: list[Event]
) -> list[OutboxEvent]:
    """`audit_record` and `outbox_emit` (same contract) in one statement on PostgreSQL: the
    audit rows go in through a data-modifying CTE of the outbox INSERT, which numbers each
    product's events itself (its last sequence read by the INSERT, not by a query of its
    own). Hot paths (contact intake, the pull) save two round trips; other databases make the
    sequence read and the two bulk inserts."""
    if connection.vendor != "postgresql" or not entries or not events:
        audit_record(actor_id=actor_id, at=at, entries=entries)
        return outbox_emit(at=at, events=events)
    rows, ranks = _outbox_unnumbered(at, events)
    q = connection.ops.quote_name
    when = connection.ops.adapt_datetimefield_value(at)
    audit_values, params = [], []
    for e in entries:
        audit_values.append("(%s, %s, %s, %s, %s, %s, %s::jsonb)")
        params += [when, actor_id, e.action, e.subject_type, str(e.subject_id), e.andon_id]
        params.append(json.dumps(e.data))
    outbox_values = []
    for i, (r, rank) in enumerate(zip(rows, ranks, strict=True)):
        outbox_values.append("(%s::timestamptz, %s, %s, %s::bigint, %s::jsonb, %s::int)")
        params += [when, r.event_type, r.product_sku, rank, json.dumps(r.payload), i]
    outbox = q(OutboxEvent._meta.db_table)
    # A product's n-th event of this call is its last sequence + n: the subquery reads the
    # table as it was before this statement (the caller holds the product's lock).
    sql = (
        f"WITH audit AS (INSERT INTO {q(AuditEntry._meta.db_table)} (occurred_at, actor_id, "
        f"action, subject_type, subject_id, andon_id, data) VALUES {', '.join(audit_values)}) "
        f"INSERT INTO {outbox} (occurred_at, event_type, product_sku, product_sequence, "
        f"payload) SELECT v.at, v.type, v.sku, n.seq, CASE WHEN n.seq IS NULL THEN v.payload "
        f"ELSE v.payload || jsonb_build_object('sequence', n.seq) END "
        f"FROM (VALUES {', '.join(outbox_values)}) AS v(at, type, sku, rank, payload, ord) "
        f"CROSS JOIN LATERAL (SELECT CASE WHEN v.rank IS NULL THEN NULL ELSE v.rank + "
        f"COALESCE((SELECT MAX(o.product_sequence) FROM {outbox} o "
        f"WHERE o.product_sku = v.sku), 0) END AS seq) n "
        f"ORDER BY v.ord RETURNING id, product_sequence"
    )
    with connection.cursor() as cur:
        cur.execute(sql, params)
        written = cur.fetchall()
    for row, (pk, seq) in zip(rows, written, strict=True):
        row.pk = pk
        row._state.adding = False
        if seq is not None:
            row.product_sequence = seq
            row.payload["sequence"] = seq
    _outbox_written(rows)
    return rows


def outbox_emit_select(
    *, at: dt.datetime, event_type: str, rows: QuerySet, payload: Mapping[str, Any]
) -> list[OutboxEvent]:
    """Append one event of `event_type` per row of `rows`, in primary key order, built by the
    database in one INSERT ... SELECT (a set-based write: the membership tick's thousands of
    events). `payload` maps each key of the event's JSON payload to an expression on the rows
    (a field name or any ORM expression); `occurred_at` is added as outbox_emit adds it.
    Events of this kind carry no product sequence. Runs the outbox hooks with the rows
    written, as outbox_emit does; inside the caller's transaction."""
    fields = dict(payload) | {"occurred_at": Value(at.isoformat())}
    select = (
        rows.order_by("pk")
        .annotate(
            _at=Value(at, output_field=DateTimeField()),
            _type=Value(event_type, output_field=CharField()),
            _payload=JSONObject(**fields),
            _sku=Value("", output_field=CharField()),
        )
        .values_list("_at", "_type", "_payload", "_sku")
    )
    try:
        sql, params = select.query.sql_with_params()
    except EmptyResultSet:  # rows that cannot match (pk__in=[]): nothing to write
        return []
    q = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {q(OutboxEvent._meta.db_table)} (occurred_at, event_type, payload, "
            f"product_sku) {sql} RETURNING id, payload",
            params,
        )
        written = cur.fetchall()
    created = [
        OutboxEvent(
            pk=pk,
            occurred_at=at,
            event_type=event_type,
            payload=json.loads(p) if isinstance(p, str | bytes) else p,
        )
        for pk, p in written
    ]
    for row in created:
        row._state.adding = False
    _outbox_written(created)
    return created


def _outbox_rows(at: dt.datetime, events: list[Event]) -> list[OutboxEvent]:
    rows, ranks = _outbox_unnumbered(at, events)
    skus = {r.product_sku for r in rows if r.product_sku}
    last: dict[str, int] = {}
    if skus:
        last = {
            r["product_sku"]: r["last"] or 0
            for r in OutboxEvent.objects.filter(product_sku__in=skus)
            .values("product_sku")
            .annotate(last=Max("product_sequence"))
        }
    for row, rank in zip(rows, ranks, strict=True):
        if rank is not None:
            row.product_sequence = last.get(row.product_sku, 0) + rank
            row.payload["sequence"] = row.product_sequence
    return rows


def _outbox_unnumbered(
    at: dt.datetime, events: list[Event]
) -> tuple[list[OutboxEvent], list[int | None]]:
    """The rows without their sequence, and each one's rank among its product's events of
    this call (1, 2...; None without a product): its sequence is the product's last + rank."""
    seen: dict[str, int] = defaultdict(int)
    rows, ranks = [], []
    for e in events:
        rank = None
        if e.product_sku:
            seen[e.product_sku] += 1
            rank = seen[e.product_sku]
        ranks.append(rank)
        rows.append(
            OutboxEvent(
                occurred_at=at,
                event_type=e.event_type,
                product_sku=e.product_sku,
                payload={**e.payload, "occurred_at": at.isoformat()},
            )
        )
    return rows, ranks


def _outbox_written(created: list[OutboxEvent]) -> None:
    if created:
        for hook in _outbox_hooks:
            hook(created)


OutboxHook = Callable[[list[OutboxEvent]], None]
# Called by outbox_emit with the rows just written, inside the caller's transaction. The
# delivery worker lives above core (imports point one way), so it registers its wake-up here
# at start-up instead of core importing it.
_outbox_hooks: list[OutboxHook] = []


def outbox_hook_register(hook: OutboxHook) -> None:
    """Run `hook` after every outbox write (once per hook, whatever the number of calls)."""
    if hook not in _outbox_hooks:
        _outbox_hooks.append(hook)


def outbox_place_move(read: OutboxRead) -> bool:
    """Move the consumer's place to `read.moves_to`, only from where it was read; True when
    it moved. Nothing moves when nothing may (`moves_to` None: no events read).

    Compare-and-set, so that of two workers that read the same events one moves the place:
    a relay or integrity moves it first, in the transaction of its work, and does the work
    only when it moved (the other finds nothing to do); detection moves it after its work,
    which runs in transactions of its own (both workers did the same work). In a
    transaction a place another one holds is skipped, not waited for (PostgreSQL: SKIP
    LOCKED; SQLite serialises writers)."""
    if read.moves_to is None:
        return False
    if read.read_id is None:  # a flushed database: the place starts at the start
        OutboxPlace.objects.bulk_create(
            [OutboxPlace(consumer=read.consumer)], ignore_conflicts=True
        )
    place = OutboxPlace.objects.filter(consumer=read.consumer, read_id=read.read_id or 0)
    if connection.in_atomic_block:
        free = place.select_for_update(skip_locked=True).values("consumer")
        place = OutboxPlace.objects.filter(consumer__in=free)
    return place.update(read_id=read.moves_to, updated_at=timezone.now()) == 1


# Writing last_used_at on every call would turn each read into a write; once a minute is enough.
_TOUCH_EVERY = dt.timedelta(minutes=1)


def token_authenticate(raw: str) -> User | None:
    """The active user behind a live bearer token (its last use noted), or None."""
    found = token_find(raw)
    return found[0].user if found is not None else None


def token_find(raw: str, extra: tuple[str, ...] = ()) -> tuple[ApiToken, tuple[Any, ...]] | None:
    """The live token of an active user, with its user, and the values of `extra` (SQL
    expressions over the token `t` and its user `u`, read in the same statement), its last
    use noted at most once a minute; None when there is none. Every API request runs it:
    hand-written, its text built once per process (the ORM's statement cost more CPU to
    build than the database spends on it)."""
    token_cols, user_cols = model_columns(ApiToken, "t"), model_columns(User, "u")
    with connection.cursor() as cur:
        cur.execute(_token_sql(connection.vendor, extra), [hash_token(raw), True])
        row = cur.fetchone()
    if row is None:
        return None
    n = len(token_cols)
    token = token_cols.build(row[:n])
    token.user = user_cols.build(row[n : n + len(user_cols)])
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token, tuple(row[n + len(user_cols) :])


@lru_cache(maxsize=8)
def _token_sql(vendor: str, extra: tuple[str, ...]) -> str:
    q = connection.ops.quote_name
    columns = [model_columns(ApiToken, "t").sql, model_columns(User, "u").sql, *extra]
    return (
        f"SELECT {', '.join(columns)} FROM {q(ApiToken._meta.db_table)} t "
        f"JOIN {q(User._meta.db_table)} u ON u.id = t.user_id "
        "WHERE t.token_hash = %s AND t.revoked_at IS NULL AND u.is_active = %s"
    )


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    body: bytes
    content_type: str
    request_hash: str


def idempotency_claim(
    *, user_id: int, key: str, method: str, path: str, request_hash: str
) -> tuple[int | None, StoredAnswer | None]:
    """Claim (user, key) inside the caller's transaction: (the new claim's id, None), or
    (None, the earlier answer) when the key was claimed before (a racing claim waits on the
    unique index until the first commits or rolls back).

    One INSERT … ON CONFLICT DO NOTHING (PostgreSQL and SQLite alike): a conflict is no error,
    so no savepoint is needed around the claim; only a replay reads the earlier row."""
    q = connection.ops.quote_name
    table = q(IdempotencyRecord._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (user_id, {q('key')}, method, path, request_hash, content_type, "
            f"created_at) VALUES (%s, %s, %s, %s, %s, '', %s) "
            f"ON CONFLICT (user_id, {q('key')}) DO NOTHING RETURNING id",
            [user_id, key, method, path, request_hash, now],
        )
        row = cur.fetchone()
    if row is not None:
        return row[0], None
    earlier = IdempotencyRecord.objects.get(user_id=user_id, key=key)
    return None, StoredAnswer(
        status_code=earlier.status_code or 200,
        body=bytes(earlier.response_body or b""),
        content_type=earlier.content_type or "application/json",
        request_hash=earlier.request_hash,
    )


def idempotency_store(*, claim_id: int, status_code: int, body: bytes, content_type: str) -> None:
    """The answer a retry replays. The caller removes what must not be kept (secrets)."""
    # Every write of the API ends here: hand-written, as `idempotency_claim`.
    q = connection.ops.quote_name
    blob = IdempotencyRecord._meta.get_field("response_body").get_db_prep_save(body, connection)
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {q(IdempotencyRecord._meta.db_table)} SET status_code = %s, "
            "response_body = %s, content_type = %s WHERE id = %s",
            [status_code, blob, content_type, claim_id],
        )
