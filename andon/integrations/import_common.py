"""What every import kind shares: the result (created, updated, unchanged and the rejected
rows with their line numbers), the parsed rows of a chunk, and the reference lookups of the
catalogue that several kinds resolve (products by SKU, batches by product and code)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from andon.catalog.models import Batch, Product
from andon.core.sql import any_of

from .upserts import Tally, ids_by

# (line number, validated row) of a chunk's good rows.
Parsed = list[tuple[int, Any]]


@dataclass(frozen=True)
class Rejected:
    row: int
    field: str
    reason: str


@dataclass
class ImportResult(Tally):
    rejected: list[Rejected] = field(default_factory=list)
    # The keys of the rows kept so far, by key column, with their line numbers: a repeat is
    # caught across the whole file, not only within its chunk (`unique_rows`).
    keys_seen: dict[str, dict[Hashable, int]] = field(default_factory=dict, repr=False)

    def reject(self, row: int, field_: str, reason: str) -> None:
        self.rejected.append(Rejected(row, field_, reason))


def unique_rows(
    rows: Parsed, key: Callable[[Any], Hashable], result: ImportResult, name: str
) -> Parsed:
    """The first row of a key wins; a repeat in the same import is rejected, not guessed,
    whether it comes in the same chunk or a later one (before, a repeat in a later chunk
    silently overwrote the first row)."""
    seen = result.keys_seen.setdefault(name, {})
    out: Parsed = []
    for n, r in rows:
        k = key(r)
        if k in seen:
            result.reject(
                n,
                name,
                gettext("Same %(column)s as row %(row)s.") % {"column": name, "row": seen[k]},
            )
            continue
        seen[k] = n
        out.append((n, r))
    return out


def product_ids(rows: Parsed, result: ImportResult) -> tuple[Parsed, dict[str, int]]:
    ids = ids_by(Product, "sku", {r.sku for _, r in rows})
    known = []
    for n, r in rows:
        if r.sku in ids:
            known.append((n, r))
        else:
            result.reject(n, "sku", gettext("No product with SKU '%(sku)s'.") % {"sku": r.sku})
    return known, ids


def batch_ids(pids: Iterable[int], codes: set[str]) -> dict[tuple[int, str], int]:
    if not codes:
        # Most storefronts send no batch: no query to build (the ORM's compiling of one
        # that cannot match cost more than half a millisecond a chunk).
        return {}
    return {
        (p, c): i
        for i, p, c in Batch.objects.filter(
            any_of(Batch, "product", set(pids)), any_of(Batch, "code", codes)
        ).values_list("id", "product_id", "code")
    }
