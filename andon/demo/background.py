"""A believable background so that no list is empty: hundreds of products, thousands of
customers, orders and contacts, all written with bulk_create from one seeded generator (the
same identifiers on every run). It never touches the story's book or its customers."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass
from decimal import Decimal

from andon.catalog.models import Batch, Product, StockLevel, Warehouse
from andon.contacts.models import Channel, Contact, ReasonCode
from andon.orders.models import Customer, FulfilmentStatus, Order, OrderLine

from . import names

BATCH_SIZE = 500
DAYS = 60


@dataclass(frozen=True)
class Scale:
    products: int
    customers: int
    orders: int
    contacts: int


FULL = Scale(products=300, customers=2000, orders=4000, contacts=2000)
SMALL = Scale(products=24, customers=40, orders=80, contacts=40)


@dataclass
class Background:
    products: dict[str, Product]  # by SKU
    kinds: dict[str, str]  # SKU -> "book" | "household"
    customer_ids: list[int]


def _isbn(i: int) -> str:
    body = f"9787{(30_000_000 + i * 7_919) % 100_000_000:08d}"
    check = (10 - sum(int(d) * (1 if k % 2 == 0 else 3) for k, d in enumerate(body)) % 10) % 10
    return body + str(check)


def _ean(i: int) -> str:
    body = f"69{(1_000_000_000 + i * 104_729) % 10_000_000_000:010d}"
    check = (10 - sum(int(d) * (1 if k % 2 == 0 else 3) for k, d in enumerate(body)) % 10) % 10
    return body + str(check)


def _titles(rng: random.Random, words: list[str], n: int) -> list[str]:
    rng.shuffle(words)
    cycle = itertools.cycle(words)
    return [
        t if i < len(words) else f"{t}（第{i // len(words) + 1}版）"
        for i, t in zip(range(n), cycle, strict=False)
    ]


def products_load(rng: random.Random, n: int, warehouses: dict[str, Warehouse]) -> Background:
    books = n // 2
    book_titles = _titles(
        rng, [a + b for a in names.BOOK_WORDS_A for b in names.BOOK_WORDS_B], books
    )
    goods = _titles(
        rng,
        [
            f"{b} {item} {size}"
            for b in names.HOUSEHOLD_BRANDS
            for item, size in names.HOUSEHOLD_ITEMS
        ],
        n - books,
    )
    rows, kinds = [], {}
    for i, title in enumerate(book_titles):
        sku = _isbn(i)
        kinds[sku] = "book"
        price = Decimal(rng.choice([29, 35, 39, 42, 45, 49, 58, 68, 79])) + Decimal("0.80")
        rows.append(
            Product(sku=sku, title=title, price=price, monthly_gmv=price * rng.randint(200, 20_000))
        )
    for i, title in enumerate(goods):
        sku = _ean(i)
        kinds[sku] = "household"
        price = Decimal(rng.choice([9, 19, 29, 39, 59, 89, 129, 199, 299])) + Decimal("0.90")
        rows.append(
            Product(sku=sku, title=title, price=price, monthly_gmv=price * rng.randint(100, 8_000))
        )
    Product.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    products = Product.objects.in_bulk(list(kinds), field_name="sku")

    batches = []
    for sku, product in products.items():
        for b in range(rng.choice([1, 2, 2, 3]) if kinds[sku] == "book" else 2):
            if kinds[sku] == "book":
                supplier, maker = rng.choice(names.BOOK_PUBLISHERS)
            else:
                supplier = maker = rng.choice(names.HOUSEHOLD_MAKERS)
            batches.append(
                Batch(
                    product=product,
                    code=f"B{b + 1}",
                    supplier=supplier,
                    manufacturer=maker,
                    received_at=dt.date(2025, 1, 1) + dt.timedelta(rng.randint(0, 300)),
                )
            )
    Batch.objects.bulk_create(batches, batch_size=BATCH_SIZE)
    stock = [
        StockLevel(
            product_id=b.product_id, warehouse=wh, batch_id=b.pk, quantity=rng.randint(0, 240)
        )
        for b in Batch.objects.filter(product__sku__in=list(kinds)).order_by("id")
        for wh in rng.sample(list(warehouses.values()), rng.randint(1, len(warehouses)))
    ]
    StockLevel.objects.bulk_create(stock, batch_size=BATCH_SIZE)
    return Background(products=products, kinds=kinds, customer_ids=[])


def customers_load(rng: random.Random, n: int) -> list[int]:
    Customer.objects.bulk_create(
        (
            Customer(
                external_id=f"cust-{i:05d}",
                name=rng.choice(names.SURNAMES) + rng.choice(names.GIVEN),
                phone=rng.choice(names.PHONE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}",
            )
            for i in range(1, n + 1)
        ),
        batch_size=BATCH_SIZE,
    )
    return list(
        Customer.objects.filter(external_id__startswith="cust-0")
        .order_by("external_id")
        .values_list("id", flat=True)
    )


def _status(rng: random.Random, age_days: float) -> str:
    s = FulfilmentStatus
    if age_days > 7:
        return rng.choices([s.DELIVERED, s.RETURNED, s.SHIPPED], [90, 5, 5])[0]
    if age_days > 3:
        return rng.choices([s.DELIVERED, s.SHIPPED, s.PACKED], [60, 35, 5])[0]
    return rng.choices([s.PLACED, s.PACKED, s.SHIPPED], [30, 35, 35])[0]


def orders_load(
    rng: random.Random, n: int, bg: Background, exclude: set[str], now: dt.datetime
) -> list[OrderLine]:
    """Orders of the last DAYS days; returns the lines a customer could complain about."""
    skus = sorted(set(bg.products) - exclude)
    stock: dict[int, list[tuple[int, int]]] = {}
    for pid, wid, bid in (
        StockLevel.objects.filter(product__sku__in=skus)
        .values_list("product_id", "warehouse_id", "batch_id")
        .order_by("id")
    ):
        stock.setdefault(pid, []).append((wid, bid))
    orders, plan = [], []
    for i in range(1, n + 1):
        placed = now - dt.timedelta(seconds=rng.randint(600, DAYS * 86_400))
        orders.append(
            Order(
                external_id=f"SO{100_000 + i}",
                placed_at=placed,
                customer_id=rng.choice(bg.customer_ids),
                channel=rng.choice(["web", "app", "app", "mini-program"]),
            )
        )
        plan.append(rng.sample(skus, rng.choice([1, 1, 1, 2, 2, 3])))
    Order.objects.bulk_create(orders, batch_size=BATCH_SIZE)
    # Read back rather than trust bulk_create to set primary keys on every backend.
    ids = dict(
        Order.objects.filter(external_id__in=[o.external_id for o in orders]).values_list(
            "external_id", "id"
        )
    )
    for order in orders:
        order.pk = ids[order.external_id]
    lines = []
    for order, order_skus in zip(orders, plan, strict=True):
        age = (now - order.placed_at).total_seconds() / 86_400
        status = _status(rng, age)
        for no, sku in enumerate(order_skus, start=1):
            product = bg.products[sku]
            wid, bid = rng.choice(stock[product.pk])
            lines.append(
                OrderLine(
                    order=order,
                    line_no=no,
                    product=product,
                    batch_id=bid,
                    warehouse_id=wid,
                    quantity=rng.choice([1, 1, 1, 2]),
                    unit_price=product.price,
                    fulfilment_status=status,
                    status_changed_at=order.placed_at + dt.timedelta(hours=min(age * 12, 96)),
                )
            )
    OrderLine.objects.bulk_create(lines, batch_size=BATCH_SIZE)
    received = {FulfilmentStatus.DELIVERED, FulfilmentStatus.RETURNED, FulfilmentStatus.SHIPPED}
    return [ln for ln in lines if ln.fulfilment_status in received]


# Which reasons a customer could give for each kind of product, and how often.
REASON_MIX: dict[str, list[tuple[str, float]]] = {
    "book": [
        ("print-defect", 20),
        ("damaged-in-transit", 30),
        ("late-delivery", 35),
        ("wrong-item", 12),
        ("description-mismatch", 3),
    ],
    "household": [
        ("damaged-in-transit", 30),
        ("late-delivery", 30),
        ("missing-parts", 15),
        ("wrong-item", 12),
        ("description-mismatch", 12),
        ("safety-hazard", 0.3),
    ],
}


def contacts_load(
    rng: random.Random,
    n: int,
    bg: Background,
    lines: list[OrderLine],
    agent_ids: list[int],
    now: dt.datetime,
) -> None:
    reasons = dict(ReasonCode.objects.values_list("code", "id"))
    if not lines:
        return
    order_ids = [ln.order.pk for ln in lines]
    # Read back rather than trust bulk_create to set primary keys on every backend.
    line_ids = {
        (order_id, no): pk
        for order_id, no, pk in OrderLine.objects.filter(
            order_id__gte=min(order_ids), order_id__lte=max(order_ids)
        ).values_list("order_id", "line_no", "id")
    }
    contacts = []
    for _ in range(n):
        line = rng.choice(lines)
        kind = bg.kinds[line.product.sku]
        codes, weights = zip(*REASON_MIX[kind], strict=True)
        reason = rng.choices(codes, weights)[0]
        earliest = line.order.placed_at + dt.timedelta(days=2)
        span = max((now - earliest).total_seconds(), 600)
        contacts.append(
            Contact(
                created_at=min(earliest + dt.timedelta(seconds=rng.uniform(0, span)), now),
                customer_id=line.order.customer_id,
                order_line_id=line_ids[(line.order.pk, line.line_no)],
                product_id=line.product_id,
                reason_id=reasons[reason],
                text=rng.choice(names.CONTACT_TEXTS[reason]),
                channel=rng.choices(list(Channel.values), [50, 30, 10, 10])[0],
                handling_seconds=rng.randint(60, 900),
                agent_id=rng.choice(agent_ids),
            )
        )
    Contact.objects.bulk_create(contacts, batch_size=BATCH_SIZE)
