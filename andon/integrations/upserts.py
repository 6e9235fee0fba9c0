"""One upsert per chunk of rows (INSERT ... ON CONFLICT DO UPDATE) that writes only what
changed and counts what it did: the import and the syncs write through it."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models

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
        writes.append(model(**row))
        written.add(k)
    if writes:
        model._default_manager.bulk_create(
            writes,
            update_conflicts=True,
            unique_fields=unique,
            update_fields=fields + list(touch),
            batch_size=500,
        )
    return written
