"""The catalogue's import kinds: warehouses, products, batches (each by its code or SKU, one
upsert per chunk) and stock, which writes through the same sync as the API's (held stock is
refused; new stock of a stopped product is held at once)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from andon.catalog.models import Batch, Product, Warehouse
from andon.core.sql import any_of
from andon.holds.errors import StockOnHold

from .goods import StockRow, stock_sync
from .import_common import ImportResult, Parsed, batch_ids, product_ids, unique_rows
from .upserts import upsert


def warehouses(rows: Parsed, result: ImportResult, actor_id: int | None) -> None:
    rows = unique_rows(rows, lambda r: r.code, result, "code")
    existing = Warehouse.objects.in_bulk([r.code for _, r in rows], field_name="code")
    upsert(
        Warehouse,
        ((r.code, {"code": r.code, "name": r.name}) for _, r in rows),
        existing,
        ["code"],
        result,
    )


def products(rows: Parsed, result: ImportResult, actor_id: int | None) -> None:
    rows = unique_rows(rows, lambda r: r.sku, result, "sku")
    existing = Product.objects.in_bulk([r.sku for _, r in rows], field_name="sku")
    upsert(
        Product,
        (
            (
                r.sku,
                {"sku": r.sku, "title": r.title, "price": r.price, "monthly_gmv": r.monthly_gmv},
            )
            for _, r in rows
        ),
        existing,
        ["sku"],
        result,
        touch=("updated_at",),
    )


def batches(rows: Parsed, result: ImportResult, actor_id: int | None) -> None:
    rows, pids = product_ids(unique_rows(rows, lambda r: (r.sku, r.code), result, "code"), result)
    existing = {
        (b.product_id, b.code): b
        for b in Batch.objects.filter(
            product_id__in=pids.values(), code__in={r.code for _, r in rows}
        )
    }
    upsert(
        Batch,
        (
            (
                (pids[r.sku], r.code),
                {
                    "product_id": pids[r.sku],
                    "code": r.code,
                    "supplier": r.supplier,
                    "manufacturer": r.manufacturer,
                    "received_at": r.received_at,
                },
            )
            for _, r in rows
        ),
        existing,
        ["product", "code"],
        result,
    )


def stock(rows: Parsed, result: ImportResult, actor_id: int | None) -> None:
    rows = unique_rows(rows, lambda r: (r.sku, r.warehouse, r.batch), result, "batch")
    rows, pids = product_ids(rows, result)
    whs = dict(
        Warehouse.objects.filter(
            any_of(Warehouse, "code", {r.warehouse for _, r in rows})
        ).values_list("code", "id")
    )
    bids = batch_ids(pids.values(), {r.batch for _, r in rows})
    found: dict[int, tuple[Any, StockRow]] = {}
    for n, r in rows:
        bid = bids.get((pids[r.sku], r.batch))
        if r.warehouse not in whs:
            result.reject(
                n,
                "warehouse",
                gettext("No warehouse with code '%(code)s'.") % {"code": r.warehouse},
            )
        elif bid is None:
            result.reject(
                n,
                "batch",
                gettext("Product %(sku)s has no batch '%(batch)s'.")
                % {"sku": r.sku, "batch": r.batch},
            )
        else:
            found[n] = (r, StockRow(pids[r.sku], whs[r.warehouse], bid, r.quantity))

    def refuse(n: int, field_: str) -> None:
        r = found[n][0]
        e = StockOnHold.of(sku=r.sku, warehouse=r.warehouse, batch=r.batch, field=field_)
        result.reject(n, field_, e.detail)

    # The same write as the API's (held stock is refused; new stock of a stopped product is
    # held by its open andons), in this chunk's transaction.
    stock_sync(
        rows={n: row for n, (_, row) in found.items()},
        refuse=refuse,
        actor_id=actor_id,
        tally=result,
    )
