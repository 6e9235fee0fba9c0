"""One upsert per chunk of rows (INSERT ... ON CONFLICT DO UPDATE) that writes only what
changed and counts what it did: the import and the syncs write through it."""

from __future__ import annotations

import zlib
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils import timezone

K = TypeVar("K", bound=Hashable)
M = TypeVar("M", bound=models.Model)


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def upsert(
    model: type[M],
    items: Iterable[tuple[K, dict[str, Any]]],
    existing: Mapping[K, M],
    unique: list[str],
    tally: Tally | None,
    extra: Mapping[K, dict[str, Any]] | None = None,
    touch: tuple[str, ...] = (),
) -> set[K]:
    """Write the new and changed rows in one upsert (INSERT ... ON CONFLICT DO UPDATE); count
    created/updated/unchanged. `extra` values are written but not compared (timestamps).
    Returns the written keys. Keys must be unique (one statement cannot update a row twice)."""
    writes, written = [], set()
    fields: list[str] = []
    for k, values in items:
        current = existing.get(k)
        if current is not None and all(getattr(current, f) == v for f, v in values.items()):
            if tally:
                tally.unchanged += 1
            continue
        if tally:
            if current is None:
                tally.created += 1
            else:
                tally.updated += 1
        row = {**values, **((extra or {}).get(k, {}))}
        fields = fields or [
            name for name in (model._meta.get_field(f).name for f in row) if name not in unique
        ]
        writes.append(row)
        written.add(k)
    if writes and connection.vendor == "postgresql":
        # What changed is known already: COPY it in and merge it, with no model instances.
        now = timezone.now()
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in writes:
            row.update({t: now for t in touch})
            groups.setdefault(tuple(row), []).append(row)
        for part in groups.values():
            copy_merge(model, part, unique, compare=False)
    elif writes:
        model._default_manager.bulk_create(
            [model(**row) for row in writes],
            update_conflicts=True,
            unique_fields=unique,
            update_fields=fields + list(touch),
            batch_size=500,
        )
    return written


def merge(
    model: type[models.Model],
    rows: list[dict[str, Any]],
    unique: list[str],
    tally: Tally | None,
) -> None:
    """`upsert`'s contract (insert new keys, update changed rows, count created/updated/
    unchanged) set-based on PostgreSQL, without reading the existing rows first: the database
    compares (IS DISTINCT FROM) and says which rows it inserted. Every row has the same
    columns; keys unique within `rows`."""
    if not rows:
        return
    created, updated = copy_merge(model, rows, unique, compare=True)
    if tally is not None:
        tally.created += created
        tally.updated += updated
        tally.unchanged += len(rows) - created - updated


def copy_merge(
    model: type[models.Model], rows: list[dict[str, Any]], unique: list[str], *, compare: bool
) -> tuple[int, int]:
    """PostgreSQL: COPY `rows` (same columns each) into a temporary staging table, then one
    INSERT … SELECT … ON CONFLICT (unique) DO UPDATE; with `compare`, only rows that differ
    are updated. Columns the rows do not name take their model default on insert and are left
    alone on update. Returns (inserted, updated)."""
    q = connection.ops.quote_name
    meta = model._meta
    names = list(rows[0])
    given = [_column(model, name) for name in names]
    now = timezone.now()
    defaults: dict[str, Any] = {}
    for f in meta.concrete_fields:
        column = str(f.column)
        if f.primary_key or column in given:
            continue
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            defaults[column] = now
        else:
            defaults[column] = f.get_db_prep_save(f.get_default(), connection)
    keys = [_column(model, u) for u in unique]
    updated = [c for c in given if c not in keys]
    # One staging table per target and set of columns (a file may or may not carry some).
    stage = q(f"andon_stage_{meta.db_table}_{zlib.crc32(' '.join(given).encode()):x}")
    table = q(meta.db_table)
    columns = ", ".join(q(c) for c in given)
    with connection.cursor() as cur:
        cur.execute(
            # Kept for the session and emptied by each commit: no catalog churn per chunk.
            f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS "
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        # Values go to psycopg as they are (text, numbers, aware datetimes): what the import
        # validated is what the column takes, without a model instance per row.
        with cur.cursor.copy(f"COPY {stage} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[n] for n in names])
        insert_cols = ", ".join(q(c) for c in [*given, *defaults])
        select = ", ".join([f"s.{q(c)}" for c in given] + ["%s"] * len(defaults))
        if updated:
            sets = ", ".join(f"{q(c)} = EXCLUDED.{q(c)}" for c in updated)
            conflict = f"DO UPDATE SET {sets}"
            if compare:
                conflict += (
                    f" WHERE ({', '.join(f'{table}.{q(c)}' for c in updated)}) IS DISTINCT FROM "
                    f"({', '.join(f'EXCLUDED.{q(c)}' for c in updated)})"
                )
        else:
            conflict = "DO NOTHING"
        cur.execute(
            f"WITH up AS (INSERT INTO {table} ({insert_cols}) SELECT {select} FROM {stage} s "
            f"ON CONFLICT ({', '.join(q(c) for c in keys)}) {conflict} "
            "RETURNING (xmax = 0) AS created) "
            "SELECT COUNT(*) FILTER (WHERE created), COUNT(*) FILTER (WHERE NOT created) FROM up",
            list(defaults.values()),
        )
        created, changed = cur.fetchone()
        if connection.savepoint_ids:
            # Inside a longer transaction (an API import): the next chunk starts from empty.
            cur.execute(f"TRUNCATE {stage}")
    return created, changed


def _column(model: type[models.Model], name: str) -> str:
    f = model._meta.get_field(name)
    assert isinstance(f, models.Field) and f.column, name
    return str(f.column)


def any_of(model: type[models.Model], name: str, values: Iterable[Any]) -> Any:
    """A filter `name IN values` for a chunk's keys. On PostgreSQL one array parameter
    (`= ANY(%s)`): an IN of a thousand parameters costs more to build and send than the
    query costs the database."""
    values = list(values)
    if connection.vendor != "postgresql" or not values:
        return models.Q(**{f"{name}__in": values})
    q = connection.ops.quote_name
    column = f"{q(model._meta.db_table)}.{q(_column(model, name))}"
    return RawSQL(f"{column} = ANY(%s)", (values,), output_field=models.BooleanField())
