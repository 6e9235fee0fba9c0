from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from .models import AuditEntry, OutboxEvent, OutboxPlace


def audit_of_andon(*, andon_id: int) -> QuerySet[AuditEntry]:
    """An andon's timeline, oldest first."""
    return (
        AuditEntry.objects.filter(andon_id=andon_id)
        .select_related("actor")
        .order_by("occurred_at", "id")
    )


def outbox_safe_horizon(*, wait: float = 0.2) -> int | None:
    """The largest outbox id H such that no event with id <= H can still appear.

    Why this is needed: ids come from a sequence when a row is inserted, not when its
    transaction commits. On PostgreSQL transaction A may take id 10, B id 11, and B commit
    first: a reader that saw 11 and moved its cursor past 10 would lose A's event forever.

    PostgreSQL: a transaction that drew an outbox id holds a RowExclusiveLock on the outbox
    table from before it drew the id (the INSERT takes it at start) until it ends. One
    statement reads the largest visible id M and then, from pg_locks, the transactions that
    hold that lock. Any id below M that is not visible belongs to one of them (ids are drawn
    in order, so it was drawn, under the lock, before M was). Once all of them have ended,
    every id <= M is visible or will never exist. We wait up to `wait` seconds for that; a
    transaction that keeps the lock longer (a long import, a stuck session) makes this return
    None and the caller keeps its last proven horizon. Only writers of the outbox count:
    long transactions elsewhere, or in other databases of the cluster, do not hold it back.

    SQLite: writers are serialised (BEGIN IMMEDIATE), so ids commit in order and the largest
    visible id is safe as it stands.
    """
    return _horizon_and_place(None, wait=wait)[0]


def _horizon_and_place(consumer: str | None, *, wait: float) -> tuple[int | None, int | None]:
    """(the safe horizon, `consumer`'s place or None when it has none), in one statement
    when nothing is being written. A place already at the largest visible id M returns M at
    once: nothing past the place can be read, whoever is still writing below M."""
    table = OutboxEvent._meta.db_table
    place = (
        f"(SELECT read_id FROM {OutboxPlace._meta.db_table} WHERE consumer = %s)"
        if consumer is not None
        else "NULL"
    )
    params = [consumer] if consumer is not None else []
    with connection.cursor() as cur:
        if connection.vendor != "postgresql":
            cur.execute(f"SELECT COALESCE(MAX(id), 0), {place} FROM {table}", params)
            top, read_id = cur.fetchone()
            return int(top), read_id
        holders = (
            "SELECT virtualtransaction FROM pg_locks WHERE locktype = 'relation'"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            f" AND relation = '{table}'::regclass AND mode = 'RowExclusiveLock'"
            " AND pid <> pg_backend_pid()"
        )
        cur.execute(
            f"SELECT (SELECT COALESCE(MAX(id), 0) FROM {table}), ARRAY({holders}), {place}",
            params,
        )
        top, writers, read_id = cur.fetchone()
        if read_id is not None and top <= read_id:
            return int(top), read_id
        deadline = time.monotonic() + wait
        while writers:
            if time.monotonic() >= deadline:
                return None, read_id
            time.sleep(0.002)
            cur.execute(f"SELECT ARRAY({holders} AND virtualtransaction = ANY(%s))", [writers])
            writers = cur.fetchone()[0]
        return int(top), read_id


@dataclass(frozen=True)
class OutboxRead:
    """Events a consumer read past its place, and where its place moves once they are handled.

    `events` are tuples: the event's id, then the fields asked for, oldest first. `read_id` is
    the place they were read from (None: the consumer had no place yet, and read from the
    start). `moves_to` is None when nothing may move: no event was read from an unfiltered
    read, which the horizon says cannot happen (its own event is visible); defensive."""

    consumer: str
    read_id: int | None
    events: list[tuple[Any, ...]]
    moves_to: int | None


def outbox_events_past(
    consumer: str,
    *,
    fields: Sequence[str] = (),
    types: Sequence[str] | None = None,
    limit: int = 1000,
) -> OutboxRead | None:
    """The outbox events past `consumer`'s place up to the safe horizon, of `types` only when
    given, at most `limit`; None when there is nothing to read (or no horizon is proven yet).

    Takes no lock: an idle pass is one statement (the horizon with the place), and on SQLite
    takes no write lock (which every atomic block takes, and the deliveries' records wait
    for). The place moves with services.outbox_place_move. It moves to the last event read
    when `limit` cut the read short; else to the horizon, past every event up to it (those
    of other types included: they are proven to be there, and none of them concerns the
    consumer)."""
    horizon, read_id = _horizon_and_place(consumer, wait=0.2)
    if horizon is None or (read_id is not None and horizon <= read_id):
        return None
    past = OutboxEvent.objects.filter(id__gt=read_id or 0, id__lte=horizon)
    if types is not None:
        past = past.filter(event_type__in=types)
    events = list(past.order_by("id").values_list("id", *fields)[:limit])
    if len(events) == limit:
        moves_to: int | None = events[-1][0]
    elif events or types is not None:
        moves_to = horizon
    else:
        moves_to = None
    return OutboxRead(consumer=consumer, read_id=read_id, events=events, moves_to=moves_to)


def outbox_place(consumer: str) -> int:
    """How far `consumer` has read the outbox (0 when it has no place yet)."""
    read_id = OutboxPlace.objects.filter(consumer=consumer).values_list("read_id", flat=True)
    return read_id.first() or 0
