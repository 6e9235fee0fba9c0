"""The customers and orders import kinds. Customers: one set-based merge per chunk on
PostgreSQL. Orders (one row per order line): the headers merged, then the lines through the
same sync as the API's (a held line is refused; a line packed while its product is stopped is
held at once), with the member figures' day marks of new or moved orders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

from andon.catalog.models import Warehouse
from andon.holds.errors import LineOnHold
from andon.membership.day_marks import orders_mark_moved, orders_moved_days
from andon.orders.models import Customer, Order
from andon.orders.rules import address_key, normalise_city_display

from .goods import LineRow, lines_sync
from .import_common import ImportResult, Parsed, batch_ids, product_ids, unique_rows
from .upserts import ids_by, merge, merge_seen, upsert

_INTEGRITY_COLUMNS = frozenset({"registered_at", "address", "city", "device_id"})


def _customer_values(r: Any, with_integrity: bool) -> dict[str, Any]:
    """A customer row's columns; the city and address key are normalised as the model's save
    would (a bulk upsert does not call it). A file that has none of the integrity columns
    (registration, address, device) leaves what an earlier sync wrote there untouched."""
    values = {"external_id": r.external_id, "name": r.name, "phone": r.phone, "email": r.email}
    if with_integrity:
        city = normalise_city_display(r.city)
        values |= {
            "registered_at": _aware(r.registered_at) if r.registered_at else None,
            "address": r.address,
            "city": city,
            "address_key": address_key(r.address, city),
            "device_id": r.device_id,
        }
    return values


def customers(rows: Parsed, result: ImportResult, actor_id: int | None) -> None:
    rows = unique_rows(rows, lambda r: r.external_id, result, "external_id")
    with_integrity = any(_INTEGRITY_COLUMNS & r.model_fields_set for _, r in rows)
    if connection.vendor == "postgresql":
        # One set-based merge per chunk (upserts.merge): nothing read first.
        merge(
            Customer,
            [_customer_values(r, with_integrity) for _, r in rows],
            ["external_id"],
            result,
        )
        return
    existing = Customer.objects.in_bulk([r.external_id for _, r in rows], field_name="external_id")
    upsert(
        Customer,
        (
            (
                r.external_id,
                _customer_values(r, with_integrity),
            )
            for _, r in rows
        ),
        existing,
        ["external_id"],
        result,
    )


def orders(rows: Parsed, result: ImportResult, actor_id: int | None) -> None:
    rows = unique_rows(rows, lambda r: (r.order, r.line_no), result, "line_no")
    custs = ids_by(Customer, "external_id", {r.customer for _, r in rows})
    headers: dict[str, dict[str, Any]] = {}
    for n, r in rows:
        if r.customer not in custs:
            result.reject(
                n,
                "customer",
                gettext("No customer with external id '%(id)s'.") % {"id": r.customer},
            )
        elif r.order not in headers:
            headers[r.order] = {
                "external_id": r.order,
                "customer_id": custs[r.customer],
                "placed_at": _aware(r.placed_at),
                "channel": r.channel,
            }
    rows = [(n, r) for n, r in rows if r.order in headers]
    # The member figures' day summaries of new or moved orders, marked with their lines' own
    # in lines_sync.
    moved = {ext: (h["placed_at"], h["customer_id"]) for ext, h in headers.items()}
    stale: set[dt.date] = set()
    created: set[int] = set()
    if connection.vendor == "postgresql":
        # The merge gives back every order's id and its day and customer before it: no read
        # before or after it.
        seen = merge_seen(
            Order, list(headers.values()), ["external_id"], None, before=("placed_at", "customer")
        )
        oids = {ext: s.id for ext, s in seen.items()}
        created = {s.id for s in seen.values() if s.inserted}
        stale = orders_moved_days(
            headers=moved,
            before={ext: s.before for ext, s in seen.items() if s.before is not None},
        )
    else:
        orders_mark_moved(headers=moved)
        upsert(
            Order,
            headers.items(),
            Order.objects.in_bulk(list(headers), field_name="external_id"),
            ["external_id"],
            None,
        )
        oids = ids_by(Order, "external_id", headers)
    rows, pids = product_ids(rows, result)
    whs = ids_by(Warehouse, "code", {r.warehouse for _, r in rows if r.warehouse})
    bids = batch_ids(pids.values(), {r.batch for _, r in rows if r.batch})
    lines: dict[int, tuple[Any, LineRow]] = {}
    for n, r in rows:
        bid = bids.get((pids[r.sku], r.batch)) if r.batch else None
        if r.warehouse and r.warehouse not in whs:
            result.reject(
                n,
                "warehouse",
                gettext("No warehouse with code '%(code)s'.") % {"code": r.warehouse},
            )
        elif r.batch and bid is None:
            result.reject(
                n,
                "batch",
                gettext("Product %(sku)s has no batch '%(batch)s'.")
                % {"sku": r.sku, "batch": r.batch},
            )
        else:
            lines[n] = (
                r,
                LineRow(
                    order_id=oids[r.order],
                    line_no=r.line_no,
                    product_id=pids[r.sku],
                    batch_id=bid,
                    warehouse_id=whs.get(r.warehouse) if r.warehouse else None,
                    quantity=r.quantity,
                    unit_price=r.unit_price,
                    status=r.status,
                ),
            )

    def refuse(n: int, field_: str) -> None:
        r = lines[n][0]
        e = LineOnHold.of(order=r.order, line_no=r.line_no, field=field_)
        result.reject(n, field_, e.detail)

    # The same write as the API's (a held line is refused; a line packed while its product is
    # stopped is held at once), in this chunk's transaction.
    lines_sync(
        rows={n: row for n, (_, row) in lines.items()},
        refuse=refuse,
        actor_id=actor_id,
        tally=result,
        placed={oids[ext]: h["placed_at"] for ext, h in headers.items()},
        stale_days=stale,
        new_orders=created,
    )


def _aware(at: dt.datetime) -> dt.datetime:
    """A time without an offset (a spreadsheet's) is the product's time zone, as the ORM and
    the member figures' day marks read it; the merge would otherwise store it as UTC (an
    order's placed-at, a customer's registration)."""
    return at if timezone.is_aware(at) else timezone.make_aware(at)
