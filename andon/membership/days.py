"""Membership activity per day (product time zone): enrolments by source, changes by
(change, from state) with how many had paid time, and the day's orders and GMV split by
whether their customer was a member when ordering. What the member figures and their six-month
trend add up, read from a MemberDay summary for whole closed days and from the rows for the
rest (today, a period's partial edges, stale or not yet summed days).

Why it stays exact: memberships' start and source never change and history rows are
append-only, so a day's sums are final once no more writes can be dated on it. The tick sums
days ended more than SETTLE ago; every membership write dated before today (a storefront
record of an old start, a tick or change run for a past instant) marks its days stale in its
own transaction (an upsert bumping the day's version), and the tick's refresh only replaces a
day whose version it read before summing, so a summary never hides a committed write.
Orders are not final that way: a late line change, a replayed import or a membership dated in
the past changes a past day's order figures. So the writers mark those days too
(membership.day_marks): a line written marks its order's day (`order_lines_mark_stale`, in
integrations' lines_sync, which every line write of the API and the import goes through); an
order header written marks the day it is placed on, before and after (`orders_mark_stale`:
the API's order sync, the admin; `orders_mark_moved`, or `orders_moved_days` from the write
itself: the import, only for new or moved orders, so that a replayed file marks nothing); a
membership write dated in the past marks every past day its customer ordered on from that
date (the member flag of those orders may have changed).
Assumes no membership or order transaction stays open for longer than SETTLE across midnight.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from andon.orders.models import Order, OrderLine

from .models import MemberDay, Membership, MembershipChange

SETTLE = dt.timedelta(hours=1)


@dataclass
class DayActivity:
    day: dt.date
    in_period: bool  # on or after the period's start (the rest only feeds the trend)
    enrolments: dict[str, int] = field(default_factory=dict)  # by source
    steps: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # -> [n, paid]
    # Orders placed that day (all, and by customers who were members then) and their value
    # (quantity x unit price of their lines). Only in-period days carry them.
    orders: int = 0
    member_orders: int = 0
    gmv: Decimal = Decimal("0")
    member_gmv: Decimal = Decimal("0")


def member_at(field: str, customer: str, plan_id: int | None) -> Exists:
    """Whether the row's customer held a membership (benefits running) at the row's `field`."""
    held = Membership.objects.filter(
        customer_id=OuterRef(customer), started_at__lte=OuterRef(field)
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=OuterRef(field)))
    return Exists(held if plan_id is None else held.filter(plan_id=plan_id))


def midnight(day: dt.date) -> dt.datetime:
    """The start of `day` in the product's time zone."""
    return dt.datetime.combine(day, dt.time(), timezone.get_current_timezone())


def _runs(days: list[dt.date]) -> list[tuple[dt.datetime, dt.datetime]]:
    """Consecutive days as [start, end) instants."""
    runs: list[tuple[dt.date, dt.date]] = []
    for d in sorted(days):
        if runs and runs[-1][1] == d:
            runs[-1] = (runs[-1][0], d + dt.timedelta(days=1))
        else:
            runs.append((d, d + dt.timedelta(days=1)))
    return [(midnight(a), midnight(b)) for a, b in runs]


def _within(name: str, ranges: list[tuple[dt.datetime, dt.datetime]]) -> Q:
    q = Q(pk__in=[])
    for a, b in ranges:
        q |= Q(**{f"{name}__gte": a, f"{name}__lt": b})
    return q


def _rows(
    ranges: list[tuple[dt.datetime, dt.datetime]],
    since: dt.datetime | None,
    plan_id: int | None,
    order_ranges: list[tuple[dt.datetime, dt.datetime]],
) -> dict[tuple[dt.date, bool], DayActivity]:
    """The rows of `ranges` grouped per local day (and whether on or after `since`), and the
    orders of `order_ranges` (all on or after `since`) per local day: three grouped reads (the
    orders' only when `order_ranges` has any)."""
    tz = timezone.get_current_timezone()
    out: dict[tuple[dt.date, bool], DayActivity] = {}

    def flag(name: str) -> Case | Value:
        if since is None:
            return Value(True)
        return Case(
            When(**{f"{name}__gte": since}, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )

    def slot(day: dt.date | dt.datetime, in_period: bool) -> DayActivity:
        d = day.date() if isinstance(day, dt.datetime) else day
        return out.setdefault((d, in_period), DayActivity(d, in_period))

    members: QuerySet = Membership.objects.filter(_within("started_at", ranges))
    changes: QuerySet = MembershipChange.objects.filter(_within("at", ranges))
    if plan_id is not None:
        members = members.filter(plan_id=plan_id)
        changes = changes.filter(membership__plan_id=plan_id)
    for r in (
        members.annotate(d=TruncDate("started_at", tzinfo=tz), p=flag("started_at"))
        .values("d", "p", "source")
        .annotate(n=Count("id"))
        .order_by()
    ):
        slot(r["d"], r["p"]).enrolments[r["source"]] = r["n"]
    for r in (
        changes.annotate(d=TruncDate("at", tzinfo=tz), p=flag("at"))
        .values("d", "p", "change", "from_state")
        .annotate(n=Count("id"), paid=Count("id", filter=Q(paid=True)))
        .order_by()
    ):
        slot(r["d"], r["p"]).steps[(r["change"], r["from_state"])] = [r["n"], r["paid"]]
    if order_ranges:
        for r in _orders_per_day(order_ranges, plan_id):
            a = slot(r["d"], True)
            a.orders += r["n"]
            a.gmv += r["gmv"] or Decimal("0")
            if r["member"]:
                a.member_orders += r["n"]
                a.member_gmv += r["gmv"] or Decimal("0")
    return out


def _orders_per_day(ranges: list[tuple[dt.datetime, dt.datetime]], plan_id: int | None) -> QuerySet:
    """The orders of `ranges` counted and valued per local day and by whether their customer
    was a member then: one pass over the orders, each order's membership and amount read from
    an index (membership_held, orderline_amount). Grouping on the EXISTS (rather than a FILTER
    per figure) makes PostgreSQL probe the membership once per order, not once per figure."""
    value = ExpressionWrapper(F("quantity") * F("unit_price"), output_field=DecimalField())
    amount = Subquery(
        OrderLine.objects.filter(order_id=OuterRef("pk"))
        .order_by()
        .values("order_id")
        .annotate(total=Sum(value))
        .values("total")
    )
    tz = timezone.get_current_timezone()
    return (
        Order.objects.filter(_within("placed_at", ranges))
        .annotate(amount=amount)
        .order_by()
        .annotate(
            d=TruncDate("placed_at", tzinfo=tz),
            member=member_at("placed_at", "customer_id", plan_id),
        )
        .values("d", "member")
        .annotate(n=Count("id"), gmv=Sum("amount"))
    )


def activity(
    *, lo: dt.datetime, since: dt.datetime, until: dt.datetime, plan_id: int | None = None
) -> list[DayActivity]:
    """Activity of [lo, until) per local day, split at `since`, with the orders of [since,
    until): fresh summaries for whole days on one side of `since` (all plans only), the rows
    for the rest. Four reads at most."""
    covered: dict[dt.date, MemberDay] = {}
    if plan_id is None:
        for s in MemberDay.objects.filter(
            day__gte=timezone.localdate(lo), day__lte=timezone.localdate(until), stale=False
        ):
            start, end = midnight(s.day), midnight(s.day + dt.timedelta(days=1))
            if lo <= start and end <= until and not start < since < end:
                covered[s.day] = s
    # [lo, until) less the covered days, as ranges.
    ranges, cursor = [], lo
    for d in sorted(covered):
        if cursor < midnight(d):
            ranges.append((cursor, midnight(d)))
        cursor = midnight(d + dt.timedelta(days=1))
    if cursor < until:
        ranges.append((cursor, until))
    # Orders only count in the period: the same ranges, clipped to [since, until).
    order_ranges = [(max(a, since), b) for a, b in ranges if b > since and max(a, since) < b]
    out = list(_rows(ranges, since, plan_id, order_ranges).values())
    for d, s in covered.items():
        steps = {(c, f): [n, paid] for c, f, n, paid in s.steps}
        a = DayActivity(d, midnight(d) >= since, dict(s.enrolments), steps)
        if a.in_period:
            a.orders, a.member_orders = s.orders, s.member_orders
            a.gmv, a.member_gmv = s.gmv, s.member_gmv
        out.append(a)
    return out


def days_refresh(*, now: dt.datetime | None = None) -> int:
    """Sum every day ended SETTLE ago or more that has no fresh summary (the first run sums
    the whole history, then a day at a time). A day marked stale while it was being summed
    keeps its mark. Returns how many days it summed."""
    now = now or timezone.now()
    limit = timezone.localdate(now - SETTLE)
    firsts = [
        Membership.objects.aggregate(x=Min("started_at"))["x"],
        MembershipChange.objects.aggregate(x=Min("at"))["x"],
        Order.objects.aggregate(x=Min("placed_at"))["x"],
    ]
    known = [timezone.localdate(x) for x in firsts if x is not None]
    if not known:
        return 0
    first = min(known)
    seen = {
        d: (stale, version)
        for d, stale, version in MemberDay.objects.filter(
            day__gte=first, day__lt=limit
        ).values_list("day", "stale", "version")
    }
    todo = [
        first + dt.timedelta(days=i)
        for i in range((limit - first).days)
        if seen.get(first + dt.timedelta(days=i), (True, 0))[0]
    ]
    if not todo:
        return 0
    runs = _runs(todo)
    rows = _rows(runs, None, None, runs)

    def sums(d: dt.date) -> dict[str, object]:
        a = rows.get((d, True), DayActivity(d, True))
        steps = [[c, f, n, paid] for (c, f), (n, paid) in sorted(a.steps.items())]
        return {
            "enrolments": a.enrolments,
            "steps": steps,
            "orders": a.orders,
            "member_orders": a.member_orders,
            "gmv": a.gmv,
            "member_gmv": a.member_gmv,
        }

    MemberDay.objects.bulk_create(
        [MemberDay(day=d, **sums(d)) for d in todo if d not in seen],
        ignore_conflicts=True,
        batch_size=500,
    )
    for d in todo:
        if d in seen:
            # Only the version read before summing: a write since then keeps the day stale.
            MemberDay.objects.filter(day=d, version=seen[d][1]).update(stale=False, **sums(d))
    return len(todo)


def days_resum(*, now: dt.datetime | None = None) -> int:
    """Every day's summary marked stale, then the closed days summed again from the rows: for
    a loader that writes orders and memberships without the writers' marks (the demo). A day
    outside the rows' span keeps its mark and is read from its (absent) rows. The versions
    are bumped, not reset, so a concurrent tick's refresh cannot overwrite the new sums."""
    MemberDay.objects.update(stale=True, version=F("version") + 1)
    return days_refresh(now=now)
