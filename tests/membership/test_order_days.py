"""The member share of orders and GMV read from the day summaries (MemberDay's orders and GMV
split by membership) always equals a full recomputation from the orders, their lines and the
memberships: after the tick sums the days, after a late change of an order line's quantity or
price, an order moved to another day, a back-dated membership from the storefront, an expiry
dated in the past, and a replayed import of the same orders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from andon.catalog.models import Product
from andon.integrations.imports import rows_import
from andon.integrations.syncs import LineIn, order_sync
from andon.membership.days import days_refresh
from andon.membership.models import MemberDay, Membership
from andon.membership.rules import Change, Source, State
from andon.membership.selectors import member_kpis
from andon.membership.services import (
    membership_change,
    membership_enrol,
    membership_tick,
    plans_ensure_defaults,
)
from andon.membership.sync import Record, memberships_sync
from andon.orders.models import Customer, Order

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _shanghai(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    plans_ensure_defaults()
    Product.objects.create(sku="od-book", title="Book", price=40)


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=SH)


def periods() -> list[tuple[dt.datetime, dt.datetime]]:
    # Whole months, a week, and a period cut mid-day on both ends.
    return [
        (at(1, 1, 0), at(2, 1, 0)),
        (at(2, 1, 0), at(3, 1, 0)),
        (at(3, 1, 0), at(4, 1, 0)),
        (at(2, 2, 0), at(2, 9, 0)),
        (at(1, 20, 13), at(3, 3, 17)),
    ]


def recomputed(since: dt.datetime, until: dt.datetime) -> tuple[int, int, Decimal, Decimal]:
    """Orders, member orders, GMV and member GMV of [since, until), order by order in Python
    from the rows: independent of the SQL that sums the days."""
    spans: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = {}
    for m in Membership.objects.all():
        spans.setdefault(m.customer_id, []).append((m.started_at, m.ended_at))
    n = members = 0
    gmv = member_gmv = Decimal("0")
    for o in Order.objects.filter(placed_at__gte=since, placed_at__lt=until).prefetch_related(
        "lines"
    ):
        amount = sum((ln.quantity * ln.unit_price for ln in o.lines.all()), Decimal("0"))
        member = any(
            s <= o.placed_at and (e is None or o.placed_at < e)
            for s, e in spans.get(o.customer_id, [])
        )
        n, gmv = n + 1, gmv + amount
        if member:
            members, member_gmv = members + 1, member_gmv + amount
    return n, members, gmv, member_gmv


def assert_equal_to_a_recomputation() -> None:
    for since, until in periods():
        k = member_kpis(since=since, until=until, trend_months=0)
        assert (k.orders, k.member_orders, k.gmv, k.member_gmv) == recomputed(since, until), (
            since,
            until,
        )


def order(ext: str, customer: str, placed: dt.datetime, qty: int = 1, price: str = "20.00"):
    order_sync(
        actor=None,
        external_id=ext,
        customer=customer,
        placed_at=placed,
        channel="web",
        lines=[LineIn(line_no=1, sku="od-book", quantity=qty, unit_price=Decimal(price))],
    )


def summed(day: dt.date) -> bool:
    return MemberDay.objects.filter(day=day, stale=False).exists()


def test_the_summed_orders_equal_a_recomputation_after_every_kind_of_late_write():
    custs = [Customer.objects.create(external_id=f"od-{i}", name=f"O{i}") for i in range(6)]
    # Members from mid-January (a trial and a paid one), the others not (yet).
    membership_enrol(
        actor=None,
        customer=custs[0],
        plan_code="member-98",
        source=Source.API,
        trial=True,
        at=at(1, 15),
    )
    membership_enrol(
        actor=None,
        customer=custs[1],
        plan_code="member-98",
        source=Source.CONSOLE,
        trial=False,
        at=at(1, 10),
    )
    for i, c in enumerate(custs):
        for d in (3, 12, 16, 25):
            order(f"o-{i}-{d}", c.external_id, at(1 + (d + i) % 3, d), qty=1 + i % 2)
    # Before any summary: all from the rows.
    assert_equal_to_a_recomputation()
    assert days_refresh() > 0 and summed(at(2, 16).date())
    assert MemberDay.objects.filter(day=at(2, 16).date()).get().orders > 0
    assert_equal_to_a_recomputation()

    # A late quantity and price change of a line on a summed day.
    order("o-2-16", "od-2", at(1 + (16 + 2) % 3, 16), qty=7, price="33.50")
    assert not summed(at(1 + (16 + 2) % 3, 16).date())
    assert_equal_to_a_recomputation()
    days_refresh()
    assert_equal_to_a_recomputation()

    # An order moved to another day: both days lose their summary.
    moved_from = at(1 + (25 + 3) % 3, 25)
    order("o-3-25", "od-3", at(2, 7), qty=2)
    assert not summed(moved_from.date()) and not summed(at(2, 7).date())
    assert_equal_to_a_recomputation()
    days_refresh()
    assert_equal_to_a_recomputation()

    # The storefront's record of a membership started in January (back-dated): the member
    # flag of every order of that customer since then changes.
    plan = custs[0].memberships.get().plan
    memberships_sync(
        {0: (custs[4], Record(plan, State.ACTIVE, at(1, 2), at(4, 2)))},
        actor_id=None,
        at=at(3, 20),
    )
    assert not summed(at(1 + (12 + 4) % 3, 12).date())
    assert_equal_to_a_recomputation()
    days_refresh()
    assert_equal_to_a_recomputation()

    # A membership expired at a past instant: orders after it are no longer a member's.
    membership_change(actor=None, customer=custs[1], change=Change.CANCELLED, at=at(2, 1))
    membership_tick(now=at(2, 10, 12))  # a tick run late, for that instant
    assert custs[1].memberships.get().ended_at == at(2, 10, 12)
    assert_equal_to_a_recomputation()
    days_refresh()
    assert_equal_to_a_recomputation()

    # The same orders imported (replayed), then again with one line's price corrected.
    rows = [
        {
            "order": f"imp-{i}",
            "customer": custs[i % 6].external_id,
            "placed_at": at(2, 1 + i).isoformat(),
            "line_no": 1,
            "sku": "od-book",
            "quantity": 1 + i % 3,
            "unit_price": "15.00",
        }
        for i in range(10)
    ]
    assert not rows_import(actor=None, kind="orders", rows=rows).rejected
    days_refresh()
    assert_equal_to_a_recomputation()
    assert not rows_import(actor=None, kind="orders", rows=rows).rejected
    assert not MemberDay.objects.filter(stale=True).exists()  # the same file: nothing moved
    assert_equal_to_a_recomputation()
    rows[4] = rows[4] | {"unit_price": "99.00"}
    assert not rows_import(actor=None, kind="orders", rows=rows).rejected
    assert not summed(at(2, 5).date())
    assert_equal_to_a_recomputation()
    days_refresh()
    assert not MemberDay.objects.filter(stale=True).exists()
    assert_equal_to_a_recomputation()
    feb = member_kpis(since=at(2, 1, 0), until=at(3, 1, 0), trend_months=0)
    assert feb.orders > 0 and 0 < feb.member_orders < feb.orders


def test_a_plan_figure_reads_its_orders_from_the_rows():
    c = Customer.objects.create(external_id="od-plan", name="P")
    membership_enrol(
        actor=None, customer=c, plan_code="member-98", source=Source.API, trial=True, at=at(1, 5)
    )
    order("p-1", "od-plan", at(1, 6), qty=3)
    days_refresh()
    plan_id = c.memberships.get().plan_id
    k = member_kpis(since=at(1, 1, 0), until=at(2, 1, 0), trend_months=0, plan_id=plan_id)
    assert (k.orders, k.member_orders, k.member_gmv) == (1, 1, Decimal("60.00"))


def test_an_order_edited_or_deleted_in_the_admin_marks_its_days(rf, admin_user):
    from types import SimpleNamespace

    from django.contrib.admin.sites import site

    c = Customer.objects.create(external_id="od-adm", name="A")
    order("adm-1", "od-adm", at(1, 6), qty=1)
    order("adm-2", "od-adm", at(1, 8), qty=1)
    days_refresh()
    assert summed(at(1, 6).date()) and summed(at(1, 9).date())
    admin, request = site._registry[Order], rf.post("/")
    request.user = admin_user
    o = Order.objects.get(external_id="adm-1")
    o.placed_at = at(1, 9)  # moved, and a line's quantity corrected with it
    admin.save_model(request, o, SimpleNamespace(initial={"external_id": "adm-1"}), True)
    o.lines.update(quantity=4)
    assert not summed(at(1, 6).date()) and not summed(at(1, 9).date())
    assert_equal_to_a_recomputation()
    days_refresh()
    admin.delete_queryset(request, Order.objects.filter(external_id="adm-2"))
    assert not summed(at(1, 8).date()) and c.orders.count() == 1
    assert_equal_to_a_recomputation()
