"""The stale marks of membership's day summaries (see membership.days for why they keep the
summaries exact): every write that changes a past day's figures marks that day in its own
transaction, with one upsert at most. Membership writes call `days_mark_stale`; order writes
call `orders_mark_stale` (the API's order sync, the admin), `orders_mark_moved` or
`orders_moved_days` (the import), and `order_lines_mark_stale` (integrations.goods.lines_sync,
which every line write goes through)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import connection
from django.db.models import QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from andon.orders.models import Order

from .days import midnight
from .models import MemberDay


def days_mark_stale(
    times: Iterable[dt.datetime | None], *, customers: Iterable[int] | QuerySet | None = None
) -> None:
    """Called by every membership write with the instants it dates rows on: days before today
    lose their summary (read row by row until the tick sums them again). With `customers`
    (a membership started or ended at those instants), also every past day those customers
    ordered on from the earliest instant: their orders' member flag may have changed. One
    upsert, only for a write dated in the past (and one read of the customers' orders)."""
    today = timezone.localdate()
    past = [t for t in times if t is not None and timezone.localdate(t) < today]
    if not past:
        return
    days = {timezone.localdate(t) for t in past}
    if customers is not None:
        tz = timezone.get_current_timezone()
        days |= set(
            Order.objects.filter(
                customer_id__in=customers, placed_at__gte=min(past), placed_at__lt=midnight(today)
            )
            .annotate(d=TruncDate("placed_at", tzinfo=tz))
            .order_by()
            .values_list("d", flat=True)
            .distinct()
        )
    _mark(sorted(days))


def orders_mark_stale(*, external_ids: Iterable[str], placed: Iterable[dt.datetime]) -> None:
    """Called before an order or its lines are written (in the same transaction), with the
    orders' external ids and the instants they will be placed at: the days they are placed on
    now and will be placed on lose their summary if past. One read, one upsert at most."""
    today = midnight(timezone.localdate())
    # A naive instant (a file without an offset) is read in the product's time zone, as the
    # ORM stores it.
    aware = (t if timezone.is_aware(t) else timezone.make_aware(t) for t in placed)
    times = [t for t in aware if t < today]
    ids = list(external_ids)
    if ids:
        times += list(
            Order.objects.filter(external_id__in=ids, placed_at__lt=today).values_list(
                "placed_at", flat=True
            )
        )
    _mark(sorted({timezone.localdate(t) for t in times}))


def orders_mark_moved(*, headers: Mapping[str, tuple[dt.datetime, int]]) -> None:
    """Called before an import writes order headers (external id -> placed at, customer id),
    in the same transaction: the days of the orders that are new, or whose day or customer
    changes (both days), lose their summary if past. An unchanged header marks nothing (a
    replayed file, a refused line). One read, one upsert at most."""
    seen = {
        ext: (at, cust)
        for ext, at, cust in Order.objects.filter(external_id__in=list(headers)).values_list(
            "external_id", "placed_at", "customer_id"
        )
    }
    _mark(sorted(orders_moved_days(headers=headers, before=seen)))


def orders_moved_days(
    *,
    headers: Mapping[str, tuple[dt.datetime, int]],
    before: Mapping[str, tuple[dt.datetime, int]],
) -> set[dt.date]:
    """The past days `orders_mark_moved` marks, when the caller knows the headers as they were
    (`before`: external id -> placed at, customer id; absent: a new order), for instance from
    the statement that wrote them: no read. The caller marks them in the same transaction
    (`order_lines_mark_stale(also=…)`)."""
    today = midnight(timezone.localdate())
    times = set()
    for ext, (at, cust) in headers.items():
        at = at if timezone.is_aware(at) else timezone.make_aware(at)
        was = before.get(ext)
        if was is None:
            times.add(at)
        elif was != (at, cust):
            times |= {at, was[0]}
    return _past_days(times, today)


def _past_days(times: Iterable[dt.datetime], today: dt.datetime) -> set[dt.date]:
    # Orders of a file share few instants: the day of each distinct one.
    return {timezone.localdate(t) for t in set(times) if t < today}


def order_lines_mark_stale(
    *,
    order_ids: Iterable[int],
    placed: Mapping[int, dt.datetime] | None = None,
    also: Iterable[dt.date] = (),
) -> None:
    """Called after order lines are written (their quantity, price or existence changed), in
    the same transaction, with their orders: those orders' days lose their summary if past.
    One read, one upsert at most. `placed`: the orders' placed-at by id (aware), when the
    caller has just written them (an import): no read. `also`: past days the caller found
    stale too (`orders_moved_days`), marked in the same upsert."""
    ids = list(order_ids)
    days = set(also)
    today = midnight(timezone.localdate())
    if ids and placed is not None:
        days |= _past_days((placed[i] for i in ids), today)
    elif ids:
        tz = timezone.get_current_timezone()
        days |= set(
            Order.objects.filter(pk__in=ids, placed_at__lt=today)
            .annotate(d=TruncDate("placed_at", tzinfo=tz))
            .order_by()
            .values_list("d", flat=True)
            .distinct()
        )
    _mark(sorted(days))


def _mark(days: list[dt.date]) -> None:
    if not days:
        return
    q = connection.ops.quote_name
    table = q(MemberDay._meta.db_table)
    values = ", ".join(["(%s, '{}', '[]', TRUE, 1, 0, 0, 0, 0)"] * len(days))
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (day, enrolments, steps, stale, version, orders, "
            f"member_orders, gmv, member_gmv) VALUES {values} "
            f"ON CONFLICT (day) DO UPDATE SET stale = TRUE, version = {table}.version + 1",
            [connection.ops.adapt_datefield_value(d) for d in days],
        )
