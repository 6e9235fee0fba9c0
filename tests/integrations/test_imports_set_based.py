"""The import's fast paths (one validation call per chunk, one merge statement per chunk, the
cycle collector paused) give what the row-by-row import gave: the same rejections with their
line numbers, the same rows written, nothing written again on a replay."""

from __future__ import annotations

import datetime as dt
import gc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pydantic import ValidationError

from andon.catalog.models import Product
from andon.integrations.import_rows import ROWS
from andon.integrations.imports import rows_import
from andon.integrity.models import PendingRef
from andon.orders.models import Customer, Order, OrderLine

from ..holds.held import held_lines
from .test_imports import _hold

pytestmark = pytest.mark.django_db

PLACED = "2026-11-20T10:00:00+08:00"


def _per_row_rejections(kind: str, rows: list, first: int) -> list[tuple[int, str, str]]:
    """What validating each row alone rejects: the import's contract before chunks were
    validated in one call."""
    out = []
    for n, raw in enumerate(rows, start=first):
        if not isinstance(raw, dict):
            out.append((n, "row"))
            continue
        clean = {k.strip().lower(): v for k, v in raw.items() if v is not None and v != ""}
        try:
            ROWS[kind].model_validate(clean)
        except ValidationError as exc:
            err = exc.errors()[0]
            out.append((n, ".".join(str(p) for p in err["loc"]) or "row", err["msg"]))
    return out


def test_bad_rows_of_a_chunk_are_rejected_as_row_by_row_validation_rejects_them():
    rows = [
        {"external_id": "c-1", "name": "A"},
        {"external_id": "", "name": ""},  # two errors: the first one is reported
        "not a row",
        {"external_id": "c-4", "name": "B", "email": "x" * 300},
        {"external_id": "c-5", "name": "C"},
        {"external_id": "c-6", "name": "D", "registered_at": "yesterday"},
        {"External_ID ": "c-7", "Name": "E"},  # headers as a spreadsheet writes them
    ]
    result = rows_import(actor=None, kind="customers", rows=rows, first_row=2, chunk=3)
    expected = _per_row_rejections("customers", rows, 2)
    got = [
        (r.row, r.field, r.reason) if r.field != "row" else (r.row, "row") for r in result.rejected
    ]
    assert got == expected
    assert [r.row for r in result.rejected] == [3, 4, 5, 7]
    assert result.created == 3
    assert sorted(Customer.objects.values_list("external_id", flat=True)) == ["c-1", "c-5", "c-7"]


def _customer_rows(n: int) -> list[dict]:
    return [
        {"external_id": f"c-{i}", "name": f"顾客 {i}", "phone": f"138{i:08d}"} for i in range(n)
    ]


def test_customers_merge_writes_new_rows_with_defaults_and_only_what_changed():
    first = rows_import(actor=None, kind="customers", rows=_customer_rows(5), chunk=2)
    assert (first.created, first.updated, first.unchanged) == (5, 0, 0)
    c = Customer.objects.get(external_id="c-3")
    assert (c.name, c.phone, c.email, c.address, c.device_id, c.registered_at) == (
        "顾客 3",
        "13800000003",
        "",
        "",
        "",
        None,
    )
    assert c.created_at is not None
    before = {x.external_id: (x.pk, x.created_at) for x in Customer.objects.all()}

    again = rows_import(actor=None, kind="customers", rows=_customer_rows(5), chunk=2)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)

    changed = _customer_rows(5)
    changed[1] = {**changed[1], "name": "改名", "city": "上海市", "address": "南京路 1 号"}
    third = rows_import(actor=None, kind="customers", rows=changed, chunk=2)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 4)
    c = Customer.objects.get(external_id="c-1")
    assert (c.name, c.address) == ("改名", "南京路 1 号")
    assert c.address_key  # normalised as the model's save would
    # Keys and creation times never move.
    assert {x.external_id: (x.pk, x.created_at) for x in Customer.objects.all()} == before


def _lines(n_orders: int, **extra: str) -> list[dict]:
    return [
        {
            "order": f"o-{i}",
            "customer": f"c-{i % 3}",
            "placed_at": PLACED,
            "line_no": no,
            "sku": "SKU-1",
            "quantity": 1 + i % 3,
            "unit_price": "39.80",
            **extra,
        }
        for i in range(n_orders)
        for no in (1, 2)
    ]


def _catalog() -> None:
    rows_import(
        actor=None, kind="products", rows=[{"sku": "SKU-1", "title": "书", "price": "39.80"}]
    )
    rows_import(actor=None, kind="customers", rows=_customer_rows(3))


def _snapshot() -> list[tuple]:
    return list(
        OrderLine.objects.order_by("order__external_id", "line_no").values_list(
            "id",
            "order__external_id",
            "line_no",
            "product_id",
            "batch_id",
            "warehouse_id",
            "quantity",
            "unit_price",
            "fulfilment_status",
            "status_changed_at",
        )
    )


def test_order_lines_replayed_change_nothing_and_a_new_status_moves_only_its_stamp():
    _catalog()
    first = rows_import(actor=None, kind="orders", rows=_lines(4), chunk=3)
    assert (first.created, first.updated, first.unchanged, first.rejected) == (8, 0, 0, [])
    assert Order.objects.count() == 4
    line = OrderLine.objects.get(order__external_id="o-2", line_no=1)
    assert (line.quantity, str(line.unit_price), line.batch_id, line.warehouse_id) == (
        3,
        "39.80",
        None,
        None,
    )
    assert line.order.customer.external_id == "c-2"
    before = _snapshot()

    again = rows_import(actor=None, kind="orders", rows=_lines(4), chunk=3)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)
    assert _snapshot() == before

    rows = _lines(4)
    rows[3] = {**rows[3], "status": "packed"}  # o-1, line 2
    third = rows_import(actor=None, kind="orders", rows=rows, chunk=3)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 7)
    after = _snapshot()
    moved = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert len(moved) == 1
    (was, now) = moved[0]
    assert (now[1], now[2], now[8]) == ("o-1", 2, "packed")
    assert now[9] > was[9]


def test_a_held_line_in_a_chunk_is_refused_with_its_line_and_the_others_go_in():
    _catalog()
    rows_import(
        actor=None, kind="products", rows=[{"sku": "SKU-2", "title": "书二", "price": "9.90"}]
    )

    def lines(status: str) -> list[dict]:
        # Only o-1's line 2 is of the stopped product (its packed lines are all held).
        rows = _lines(3, status=status, sku="SKU-2")
        rows[3] = {**rows[3], "sku": "SKU-1"}
        return rows

    rows_import(actor=None, kind="orders", rows=lines("packed"))
    _hold(OrderLine.objects.get(order__external_id="o-1", line_no=2))
    result = rows_import(actor=None, kind="orders", rows=lines("shipped"), first_row=2, chunk=4)
    assert [(r.row, r.field) for r in result.rejected] == [(5, "status")]
    assert "o-1" in result.rejected[0].reason
    assert result.updated == 5
    held = OrderLine.objects.get(order__external_id="o-1", line_no=2)
    assert held.fulfilment_status == "packed"
    assert held_lines(OrderLine.objects.filter(pk=held.pk)).exists()
    assert OrderLine.objects.filter(fulfilment_status="shipped").count() == 5


def test_an_import_notes_each_customer_it_touched_for_integrity_once(
    django_capture_on_commit_callbacks,
):
    rows = _customer_rows(150)  # above the bulk path's threshold
    with django_capture_on_commit_callbacks(execute=True):
        rows_import(actor=None, kind="customers", rows=rows + rows[:10])
    assert PendingRef.objects.filter(ref="customer").count() == 150
    assert set(PendingRef.objects.values_list("key", flat=True)) == {r["external_id"] for r in rows}


def test_one_statement_merges_a_chunk_of_customers():
    rows = _customer_rows(30)
    rows_import(actor=None, kind="customers", rows=rows[:1])  # the lazily loaded parts
    with CaptureQueriesContext(connection) as q:
        rows_import(actor=None, kind="customers", rows=rows, chunk=10)
    writes = [s["sql"] for s in q.captured_queries if "orders_customer" in s["sql"]]
    if connection.vendor == "postgresql":
        assert len(writes) == 3  # one per chunk, nothing read first
    assert Customer.objects.count() == 30


def test_the_cycle_collector_is_on_again_after_an_import_even_a_failing_one():
    assert gc.isenabled()
    rows_import(actor=None, kind="customers", rows=_customer_rows(3))
    assert gc.isenabled()
    Product.objects.create(sku="SKU-X", title="x", price="1")
    with pytest.raises(ZeroDivisionError):
        rows_import(
            actor=None,
            kind="customers",
            rows=_customer_rows(3),
            progress=lambda _n: 1 / 0,
        )
    assert gc.isenabled()


def test_a_chunk_of_order_lines_merges_its_orders_and_its_lines_in_one_statement_each():
    """On PostgreSQL the orders' merge gives back their ids: no lookup of the orders follows
    it (other domains' reads of the chunk, such as membership's days, are theirs)."""
    _catalog()
    rows_import(actor=None, kind="orders", rows=_lines(1))  # the lazily loaded parts
    rows = _lines(6)
    rows[4] = {**rows[4], "channel": "app"}  # o-2's header changes: its id still resolves
    with CaptureQueriesContext(connection) as q:
        result = rows_import(actor=None, kind="orders", rows=rows, chunk=4)
    assert (result.created, result.rejected) == (10, [])
    sql = [s["sql"] for s in q.captured_queries]
    if connection.vendor == "postgresql":
        assert sum('INSERT INTO "orders_order" ' in s for s in sql) == 3
        assert sum('INSERT INTO "orders_orderline" ' in s for s in sql) == 3
        lookup = 'SELECT "orders_order"."external_id" AS "external_id", "orders_order"."id" AS'
        assert not [s for s in sql if s.startswith(lookup)]
    line = OrderLine.objects.get(order__external_id="o-2", line_no=1)
    assert (line.order.channel, line.order.customer.external_id) == ("app", "c-2")


def test_order_lines_read_no_orders_and_mark_their_days_in_one_statement_per_chunk():
    """On PostgreSQL the orders' merge also gives back each order's day and customer before
    it: the member figures' marks of moved orders and of written lines need no read of the
    orders, and go in one upsert per chunk."""
    _catalog()
    rows_import(actor=None, kind="orders", rows=_lines(1))  # the lazily loaded parts
    with CaptureQueriesContext(connection) as q:
        result = rows_import(actor=None, kind="orders", rows=_lines(6), chunk=4)
    assert (result.created, result.rejected) == (10, [])
    sql = [s["sql"] for s in q.captured_queries]
    if connection.vendor == "postgresql":
        assert not [s for s in sql if s.startswith("SELECT") and 'FROM "orders_order"' in s]
        assert sum('INSERT INTO "membership_memberday"' in s for s in sql) == 3


def test_an_imported_order_moved_to_another_day_marks_both_days_and_a_replay_marks_none():
    from andon.membership.models import MemberDay

    _catalog()
    rows = _lines(2)
    assert not rows_import(actor=None, kind="orders", rows=rows).rejected
    day = Order.objects.get(external_id="o-1").placed_at.astimezone(timezone.get_current_timezone())
    MemberDay.objects.update(stale=False)
    assert not rows_import(actor=None, kind="orders", rows=rows).rejected
    assert not MemberDay.objects.filter(stale=True).exists()  # nothing moved
    moved = (day - dt.timedelta(days=3)).isoformat()
    rows = [r | {"placed_at": moved} if r["order"] == "o-1" else r for r in rows]
    assert not rows_import(actor=None, kind="orders", rows=rows).rejected
    stale = set(MemberDay.objects.filter(stale=True).values_list("day", flat=True))
    assert stale == {day.date(), day.date() - dt.timedelta(days=3)}
    # Another customer, same day: the day is marked again.
    MemberDay.objects.update(stale=False)
    rows = [r | {"customer": "c-0"} if r["order"] == "o-1" else r for r in rows]
    assert not rows_import(actor=None, kind="orders", rows=rows).rejected
    assert set(MemberDay.objects.filter(stale=True).values_list("day", flat=True)) == {
        day.date() - dt.timedelta(days=3)
    }


def test_a_time_without_an_offset_is_the_product_time_zone_on_every_database():
    """A spreadsheet's 2026-11-20 10:00 is 10:00 where the product is, as the ORM stores it
    (the set-based merge on PostgreSQL once stored it as UTC)."""
    _catalog()
    row = _lines(1)[0] | {"placed_at": "2026-11-20T10:00:00"}
    assert not rows_import(actor=None, kind="orders", rows=[row]).rejected
    placed = Order.objects.get(external_id="o-0").placed_at
    assert placed == timezone.make_aware(dt.datetime(2026, 11, 20, 10, 0))
    assert not rows_import(actor=None, kind="orders", rows=[row]).rejected
    assert Order.objects.get(external_id="o-0").placed_at == placed


def test_a_registration_time_without_an_offset_is_the_product_time_zone_too():
    row = {"external_id": "c-tz", "name": "A", "registered_at": "2026-11-20T10:00:00"}
    assert not rows_import(actor=None, kind="customers", rows=[row]).rejected
    registered = Customer.objects.get(external_id="c-tz").registered_at
    assert registered == timezone.make_aware(dt.datetime(2026, 11, 20, 10, 0))
    result = rows_import(actor=None, kind="customers", rows=[row])
    assert (result.unchanged, result.rejected) == (1, [])


def test_lines_of_orders_the_chunk_creates_are_not_read_and_an_older_orders_held_line_still_is():
    """On PostgreSQL the orders' merge says which orders it inserted: no other transaction can
    see those yet, so their lines are neither read nor locked; the lines of orders that were
    there before are, and a held one among them is still refused in the same chunk."""
    _catalog()
    rows_import(actor=None, kind="orders", rows=_lines(1, status="packed"))
    _hold(OrderLine.objects.get(order__external_id="o-0", line_no=1))
    rows = _lines(3, status="shipped")  # o-0 exists (its line 1 held); o-1, o-2 are new
    with CaptureQueriesContext(connection) as q:
        result = rows_import(actor=None, kind="orders", rows=rows, chunk=6)
    assert [(r.row, r.field) for r in result.rejected] == [(1, "status")]
    assert (result.created, result.updated) == (4, 1)
    # The refused line is as it was; its order's other line moved.
    statuses = dict(
        OrderLine.objects.filter(order__external_id="o-0").values_list(
            "line_no", "fulfilment_status"
        )
    )
    assert statuses == {1: "packed", 2: "shipped"}
    reads = [
        s["sql"] for s in q.captured_queries if s["sql"].startswith('SELECT "orders_orderline"')
    ]
    if connection.vendor == "postgresql":
        # One read, of o-0's lines only.
        (read,) = [s for s in reads if s.endswith("FOR UPDATE")]
        o0 = Order.objects.get(external_id="o-0").pk
        assert f"ANY('{{{o0}}}'" in read
    with CaptureQueriesContext(connection) as q:
        rows_import(actor=None, kind="orders", rows=_lines(6)[6:], chunk=6)  # o-3..o-5: new
    reads = [
        s["sql"] for s in q.captured_queries if s["sql"].startswith('SELECT "orders_orderline"')
    ]
    if connection.vendor == "postgresql":
        assert reads == []
    assert OrderLine.objects.filter(order__external_id="o-5").count() == 2


def test_bad_order_lines_in_the_middle_of_chunks_name_their_own_lines_and_a_replay_adds_none():
    """Lines refused for five reasons (validation, a repeat, the customer, the product, the
    batch), each in the middle of a chunk: each is rejected with its own line number and the
    lines around it go in; the same file again writes nothing and refuses the same."""
    _catalog()
    rows = _lines(6)
    rows[1] = rows[1] | {"quantity": "0"}  # validation
    rows[3] = dict(rows[2])  # a repeat of the line above it, in the same chunk
    rows[4] = rows[4] | {"order": "o-x", "customer": "nobody"}  # an unknown customer
    rows[6] = rows[6] | {"sku": "NOPE"}  # an unknown product
    rows[8] = rows[8] | {"batch": "B-none"}  # a batch the product does not have
    first = rows_import(actor=None, kind="orders", rows=rows, first_row=2, chunk=5)
    refused = [(r.row, r.field) for r in first.rejected]
    assert refused == [(3, "quantity"), (5, "line_no"), (6, "customer"), (8, "sku"), (10, "batch")]
    assert (first.created, first.updated) == (7, 0)
    before = _snapshot()
    assert len(before) == 7
    again = rows_import(actor=None, kind="orders", rows=rows, first_row=2, chunk=5)
    assert [(r.row, r.field) for r in again.rejected] == refused
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)
    assert _snapshot() == before


def test_a_chunk_of_new_moved_and_unchanged_orders_resolves_every_orders_id():
    """The orders' merge looks up in the table only the orders it did not insert: a chunk
    that mixes new orders, a moved one and an unchanged one writes each line to its own
    order."""
    _catalog()
    assert not rows_import(actor=None, kind="orders", rows=_lines(2)).rejected  # o-0, o-1
    ids = dict(Order.objects.values_list("external_id", "id"))
    rows = _lines(4)  # o-0 unchanged, o-1 moved to another customer, o-2 and o-3 new
    rows = [r | {"customer": "c-2"} if r["order"] == "o-1" else r for r in rows]
    rows = [r | {"quantity": 7} if r["order"] == "o-0" and r["line_no"] == 2 else r for r in rows]
    with CaptureQueriesContext(connection) as q:
        result = rows_import(actor=None, kind="orders", rows=rows, chunk=8)
    assert (result.created, result.updated, result.unchanged, result.rejected) == (4, 1, 3, [])
    if connection.vendor == "postgresql":
        # The new orders' lines by a plain INSERT (none can exist), the others merged.
        writes = [s["sql"] for s in q.captured_queries if 'INTO "orders_orderline" ' in s["sql"]]
        assert sorted("ON CONFLICT" in s for s in writes) == [False, True]
    after = dict(Order.objects.values_list("external_id", "id"))
    assert {k: after[k] for k in ids} == ids
    lines = OrderLine.objects.values_list("order__external_id", "order_id", "line_no", "quantity")
    assert all(after[ext] == oid for ext, oid, _, _ in lines)
    assert sorted((ext, no, qty) for ext, _, no, qty in lines if ext == "o-0") == [
        ("o-0", 1, 1),
        ("o-0", 2, 7),
    ]
    assert Order.objects.get(external_id="o-1").customer.external_id == "c-2"


def test_a_repeated_line_in_a_later_chunk_is_rejected_as_in_the_same_chunk():
    """The first row of a key wins across the whole file: a repeat three chunks later names
    the row it repeats, and does not overwrite what that row wrote."""
    _catalog()
    rows = _lines(4)  # rows 2-9: o-0 line 1 is row 2
    rows.append({**rows[0], "quantity": 9})  # row 10, in the fourth chunk of 2
    rows.append({**rows[2], "quantity": 9})  # row 11, the same chunk: o-1 line 1 (row 4)
    result = rows_import(actor=None, kind="orders", rows=rows, first_row=2, chunk=2)
    assert [(r.row, r.field) for r in result.rejected] == [(10, "line_no"), (11, "line_no")]
    assert "2" in result.rejected[0].reason and "4" in result.rejected[1].reason
    assert (result.created, result.updated) == (8, 0)
    first = OrderLine.objects.get(order__external_id="o-0", line_no=1)
    assert first.quantity == 1
