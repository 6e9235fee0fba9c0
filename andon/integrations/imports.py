"""Bulk import by external ids: validate each row, resolve references set-based, and write
only what changed with one upsert per chunk (INSERT ... ON CONFLICT DO UPDATE).

Contract: idempotent (the same rows again: everything `unchanged`, nothing written); a bad
row is rejected with its row number, field and reason while the good rows go in; a chunk of
rows is one transaction, so a long file never holds the outbox horizon back for long. An
import never touches a product's listing status (only the cord does, and the watch of a staged
relist: an imported complaint in the watch stops the product again as a live one does), never
pulls the cord (imported contacts are evidence, nothing more) and never changes what an open
andon holds:
the fulfilment status, quantity, product or batch of an order line on hold, or the quantity
of stock on hold. Stock and order lines are written by the same syncs as the API's
(integrations.goods: listing locks first, the holds' rule, the catch-up of holds), so a pull
placing holds at the same moment waits for the chunk and then holds what it wrote.
Imports write no outbox events: they load the storefront's own state, which it already knows
(except `memberships`, which emits `membership.*` as its PUT does: see import_memberships).
Imported contacts are assigned to problems after the chunks, the whole file at once
(andon.detection: a failure there never fails the import; `andon detection pending` catches up).

This module runs an import (the actor's rights, validation per chunk, a transaction per
chunk); each kind's writer is in its own module: import_catalogue (warehouses, products,
batches, stock), import_orders (customers, orders), import_contacts, import_people,
import_history (andon-history), import_memberships; import_common holds what they share.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import import_module
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext
from pydantic import TypeAdapter, ValidationError

from andon.core.errors import InvalidInput
from andon.integrity.tasks import rows_imported as integrity_changed
from andon.people import rules as people_rules
from andon.people.selectors import actor_require

from .import_common import ImportResult, Parsed, Rejected
from .import_rows import ROWS, Row

__all__ = ["CHUNK", "HANDLERS", "ImportResult", "Rejected", "handler", "rows_import"]

CHUNK = 1000


def rows_import(
    *,
    actor: User | None,
    kind: str,
    rows: Sequence[Mapping[str, Any]],
    first_row: int = 1,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import `rows` of `kind` (see import_rows.ROWS); `first_row` numbers the first one.
    `actor`: who imports (integrators and admins may); None: the machine's operator, through
    `andon import`."""
    if actor is not None:
        actor_require(
            actor, people_rules.may_load_catalog, gettext("Only integrators and admins import.")
        )
    if actor is not None and kind == "people":
        # Roles and teams are access rights: only an admin loads them.
        actor_require(actor, people_rules.may_configure, gettext("Only admins import people."))
    if kind not in ROWS:
        raise InvalidInput(
            gettext("Unknown kind '%(kind)s'; one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(ROWS)},
            field="kind",
        )
    result = ImportResult()
    write = handler(kind)
    if kind == "contacts":
        # The model's encoding processes start while the chunks are written (lazy import:
        # detection loads numpy and the model, which only contacts need).
        from andon.detection.services import contacts_import_starting

        contacts_import_starting(rows=len(rows))
    with _collector_paused():
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            parsed = _validate(ROWS[kind], part, first_row + start, result)
            with transaction.atomic():
                write(parsed, result, actor.pk if actor is not None else None)
            if progress:
                progress(len(part))
    if kind == "contacts":
        # Imported here: detection (numpy, the model) is loaded by the imports that need it,
        # so the other kinds start in under a second.
        from andon.detection.services import contacts_assign_imported

        contacts_assign_imported(
            external_ids=[
                str(v).strip()
                for r in rows
                if isinstance(r, Mapping)
                for k, v in r.items()
                if str(k).strip().lower() == "external_id" and v is not None
            ]
        )
    result.rejected.sort(key=lambda r: r.row)
    # Only rows that are objects name what they touch (the others were rejected).
    integrity_changed(kind, [r for r in rows if isinstance(r, Mapping)])
    return result


class _CollectorPause:
    """Python's cycle collector off while an import's chunks run. An import allocates a few
    objects per cell, and each full collection walks every object of the process (Django,
    the file's rows): measured, a quarter to a third of an order-lines import's CPU in this
    process, 40% of a replay's (bench/RESULTS.md). What an import allocates is freed by
    reference counting; the few cycles left wait for the collector, on again when the last
    running import ends (imports in other threads share the switch)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._was_enabled = True

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._running == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0 and self._was_enabled:
                    gc.enable()


_collector_paused = _CollectorPause()


def _validate(
    schema: type[Row], rows: Sequence[Mapping[str, Any]], first: int, result: ImportResult
) -> Parsed:
    numbered: list[tuple[int, dict[str, Any]]] = []
    # Column names as the row shapes spell them, worked out once per name: a file's rows
    # share their few names.
    names: dict[Any, str] = {}
    for n, raw in enumerate(rows, start=first):
        if not isinstance(raw, Mapping):
            result.reject(n, "row", gettext("A row must be an object of column: value."))
            continue
        try:
            numbered.append((n, _cells(raw, names)))
        except KeyError:
            names |= {k: str(k).strip().lower() for k in raw if k is not None}
            numbered.append((n, _cells(raw, names)))
    # The whole chunk in one call (several times faster than a call per row); its errors
    # name the row by its index, so each bad row is rejected with the first error of its
    # own, as a call per row would, and the good rows are validated again without them.
    many = _LIST_ADAPTERS.get(schema)
    if many is None:
        many = _LIST_ADAPTERS[schema] = TypeAdapter(list[schema])  # type: ignore[valid-type]
    try:
        return _numbered(many, numbered)
    except ValidationError as exc:
        first_error: dict[int, Any] = {}
        for err in exc.errors():
            first_error.setdefault(int(err["loc"][0]), err)
    for i, err in sorted(first_error.items()):
        loc = ".".join(str(p) for p in err["loc"][1:]) or "row"
        result.reject(numbered[i][0], loc, err["msg"])
    good = [item for i, item in enumerate(numbered) if i not in first_error]
    return _numbered(many, good)


def _cells(raw: Mapping[Any, Any], names: Mapping[Any, str]) -> dict[str, Any]:
    # An empty cell means "not given": the column's default applies.
    return {names[k]: v for k, v in raw.items() if v is not None and v != "" and k is not None}


def _numbered(many: TypeAdapter[list[Any]], rows: list[tuple[int, dict[str, Any]]]) -> Parsed:
    return list(zip((n for n, _ in rows), many.validate_python([c for _, c in rows]), strict=True))


_LIST_ADAPTERS: dict[type[Row], TypeAdapter[list[Any]]] = {}


Handler = Callable[[Parsed, ImportResult, int | None], None]

# Each kind's writer, as "module:function" of this package: a kind's module (and what it
# needs: the syncs and holds, membership, pulls) is imported by the first import of that kind
# only, so that `andon import` of one kind starts without loading the others.
HANDLERS: dict[str, str] = {
    "warehouses": "import_catalogue:warehouses",
    "products": "import_catalogue:products",
    "batches": "import_catalogue:batches",
    "stock": "import_catalogue:stock",
    "customers": "import_orders:customers",
    "orders": "import_orders:orders",
    "contacts": "import_contacts:contacts",
    "people": "import_people:people",
    "andon-history": "import_history:andon_history",
    "memberships": "import_memberships:memberships",
}


def handler(kind: str) -> Handler:
    """The writer of a kind (HANDLERS), imported on first use."""
    module, name = HANDLERS[kind].split(":")
    found: Handler = getattr(import_module(f"{__package__}.{module}"), name)
    return found
