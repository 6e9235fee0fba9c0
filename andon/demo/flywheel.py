"""Twelve weeks of the flywheel turning, so that every element shows a trend and one team shows
the silent-cord alarm:

- the everyday complaint volume each team handles (contacts that never needed a pull), on a
  shelf of books from three suppliers and two printers, with the orders around them;
- handling time falling as team 1's new agents learn (organisation and talent);
- last week, a wave of print-defect complaints about one printer's batch reaches team 2, and
  team 2 does not pull: its pulls stay where they were while its complaints double, so the
  cord went silent against the team's own baseline. The check is run as production runs it
  (`andon flywheel-alarms`), writing the alarm and its outbox event.

Set-based, with explicit timestamps; its products are its own (SKUs 9788800000…). Calling it
twice adds nothing the second time. Loaded after the detection demo, which it leaves alone.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from andon.catalog.models import Batch, Product, StockLevel, Warehouse
from andon.contacts.models import Channel, Contact, ReasonCode
from andon.flywheel.services import alarms_raise
from andon.orders.models import Customer, FulfilmentStatus, Order, OrderLine
from andon.people.models import Team
from andon.reviews import rules as review_rules

from . import names

# ISBN-like SKUs (the books of the demo are ISBNs), in a group the background never uses.
PREFIX = "9788800000"
IDS = "FLY-"
WEEKS = 12
SILENT_TEAM = "team-2"
SHELF = [
    # (title, price, supplier, printer)
    ("红楼梦（校注本）", "59.80", "人民文学出版社", "北京华联印刷"),
    ("三体（典藏版）", "93.00", "重庆出版社", "北京华联印刷"),
    ("朝花夕拾", "25.00", "人民文学出版社", "廊坊中闻印务"),
    ("明朝那些事儿", "38.80", "北京联合出版", "廊坊中闻印务"),
    ("人间词话", "29.00", "北京联合出版", "北京华联印刷"),
    ("瓦尔登湖", "36.00", "重庆出版社", "廊坊中闻印务"),
]
WAVE_PRINTER = "廊坊中闻印务"
# Everyday complaints per team and week, and the orders of the shop per week.
CONTACTS_PER_WEEK = (50, 64)
ORDERS_PER_WEEK = (700, 800)
WAVE = 90  # last week's extra print-defect complaints reaching the silent team


def flywheel_load(rng: random.Random, now: dt.datetime | None = None) -> None:
    if Product.objects.filter(sku__startswith=PREFIX).exists():
        return
    now = now or timezone.now()
    teams = list(Team.objects.filter(code__in=["team-1", SILENT_TEAM]).order_by("code"))
    members = {t.pk: list(User.objects.filter(profile__team=t).order_by("username")) for t in teams}
    reasons = {
        r.code: r
        for r in ReasonCode.objects.filter(active=True)
        if ("book", r.code) in names.CONTACT_TEXTS
    }
    warehouse = Warehouse.objects.order_by("code").first()
    if not teams or not reasons or warehouse is None or not all(members.values()):
        return
    products, wave_products = _shelf(warehouse)
    this_monday = dt.datetime.combine(
        review_rules.period_start(timezone.localdate(now), "week"),
        dt.time(),
        timezone.get_current_timezone(),
    )
    customers = Customer.objects.bulk_create(
        Customer(external_id=f"{IDS}c{k:04d}", name=f"飞轮客户{k}") for k in range(400)
    )
    # (week start, team or None for an order without a complaint, reason, handling seconds)
    plan: list[tuple[dt.datetime, Team | None, ReasonCode | None, int]] = []
    codes = sorted(reasons)
    for w in range(WEEKS):
        start = this_monday - dt.timedelta(weeks=WEEKS - w)
        plan += [(start, None, None, 0)] * rng.randint(*ORDERS_PER_WEEK)
        for team in teams:
            # Team 1's new agents take 7 minutes a contact at first and 4.5 by the end.
            mean = 420 - 150 * w / (WEEKS - 1) if team.code == "team-1" else 330
            for _ in range(rng.randint(*CONTACTS_PER_WEEK)):
                plan.append((start, team, reasons[rng.choice(codes)], _handling(rng, mean)))
            if team.code == SILENT_TEAM and w == WEEKS - 1 and "print-defect" in reasons:
                plan += [(start, team, reasons["print-defect"], _handling(rng, 360))] * WAVE
    _orders_and_contacts(rng, plan, products, wave_products, customers, members)
    alarms_raise(period="week", today=timezone.localdate(now), at=now)


def _handling(rng: random.Random, mean: float) -> int:
    return max(60, int(rng.gauss(mean, 60)))


def _shelf(warehouse: Warehouse) -> tuple[list[Product], list[Product]]:
    products = Product.objects.bulk_create(
        Product(sku=f"{PREFIX}{k:03d}", title=title, price=Decimal(price), monthly_gmv=0)
        for k, (title, price, _, _) in enumerate(SHELF)
    )
    batches = Batch.objects.bulk_create(
        Batch(product=p, code="F1", supplier=SHELF[k][2], manufacturer=SHELF[k][3])
        for k, p in enumerate(products)
    )
    StockLevel.objects.bulk_create(
        StockLevel(product=p, warehouse=warehouse, batch=b, quantity=300)
        for p, b in zip(products, batches, strict=True)
    )
    # Read back: bulk_create sets primary keys on PostgreSQL and SQLite, but be explicit.
    products = list(Product.objects.filter(sku__startswith=PREFIX).order_by("sku"))
    wave = [p for k, p in enumerate(products) if SHELF[k][3] == WAVE_PRINTER]
    return products, wave


def _orders_and_contacts(
    rng: random.Random,
    plan: list[tuple[dt.datetime, Team | None, ReasonCode | None, int]],
    products: list[Product],
    wave_products: list[Product],
    customers: list[Customer],
    members: dict[int, list[User]],
) -> None:
    batches = dict(Batch.objects.filter(product__in=products).values_list("product_id", "id"))
    times = [
        start + dt.timedelta(seconds=rng.randint(8 * 3600, 7 * 86400 - 3600)) for start, *_ in plan
    ]
    picked = [
        rng.choice(
            wave_products
            if r is not None and r.code == "print-defect" and wave_products and rng.random() < 0.5
            else products
        )
        for _, _, r, _ in plan
    ]
    who = [rng.choice(customers) for _ in plan]
    orders = Order.objects.bulk_create(
        Order(
            external_id=f"{IDS}o{k:05d}",
            customer=who[k],
            # An order without a complaint is placed in its week; a complaint comes days
            # after its order.
            placed_at=times[k] - dt.timedelta(days=rng.randint(3, 12) if plan[k][1] else 0),
            channel="web",
        )
        for k in range(len(plan))
    )
    lines = OrderLine.objects.bulk_create(
        OrderLine(
            order=o,
            line_no=1,
            product=picked[k],
            batch_id=batches[picked[k].pk],
            unit_price=picked[k].price,
            fulfilment_status=FulfilmentStatus.DELIVERED,
        )
        for k, o in enumerate(orders)
    )
    Contact.objects.bulk_create(
        Contact(
            created_at=times[k],
            customer=who[k],
            order_line=lines[k],
            product=picked[k],
            reason=reason,
            text=rng.choice(names.CONTACT_TEXTS[("book", reason.code)]),
            channel=rng.choices(list(Channel.values), [50, 30, 10, 10])[0],
            handling_seconds=handling,
            agent=rng.choice(members[team.pk]),
        )
        for k, (_, team, reason, handling) in enumerate(plan)
        if team is not None and reason is not None
    )
