"""Detection in the demo: a kettle whose customers describe one leak in Chinese and English,
coded three different ways, at a complaint rate far above the catalogue's (an alert on the
Problems page); two more books from the printer of the story's batch B1 with open print
problems (a shared cause: after the story's pull, the andon page names them); then every
contact of the demo assigned to its problem and the complaint rates scanned once."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from andon.catalog.models import Batch, Product, StockLevel, Warehouse
from andon.contacts.models import Channel, Contact, ReasonCode
from andon.detection.alerts import problem_alerts_scan
from andon.detection.services import contacts_assign_pending
from andon.orders.models import Customer, FulfilmentStatus, Order, OrderLine

from .story import BATCHES

KETTLE = ("6901234567890", "电热水壶 1.7L 不锈钢", Decimal("129.00"), Decimal("85000"))
# The kettle's reports, in the order they came: (reason, text).
KETTLE_REPORTS = [
    ("description-mismatch", "水壶底部漏水，桌子上一滩水"),
    ("safety-hazard", "Kettle leaks from the base, water all over the counter near the plug"),
    ("damaged-in-transit", "壶底漏水，用了两次就漏"),
    ("description-mismatch", "装满水放一会儿底座就湿了，应该是底下渗水"),
    ("safety-hazard", "water dripping out under the kettle while it boils!!"),
    ("description-mismatch", "leaking kettle, there's a puddle every time I fill it"),
    ("damaged-in-transit", "底座漏水，不敢用了"),
    ("missing-parts", "盖子合不上，按钮卡住了"),
    ("description-mismatch", "the lid won't stay shut, the latch seems broken"),
]
KETTLE_DELIVERED = 30

PRINTER = BATCHES[0][1]  # the printer of the story's batch B1
BOOKS = [
    ("9787020002207", "红楼梦", Decimal("59.70"), Decimal("420000"), "第45页印刷模糊，字有重影"),
    ("9787544253994", "百年孤独", Decimal("55.00"), Decimal("380000"), "p.45 blurry, ink smudged"),
]


def detection_load(rng: random.Random, agent_ids: list[int], now: dt.datetime) -> None:
    warehouse = Warehouse.objects.order_by("code").first()
    reasons = dict(ReasonCode.objects.values_list("code", "id"))
    kettle = _product(*KETTLE, batch=("K1", "佛山美厨电器", "佛山美厨电器"), warehouse=warehouse)
    lines = _delivered(kettle, KETTLE_DELIVERED, "kettle", now, rng)
    contacts = [
        _contact(lines[i], reasons[reason], text, agent_ids, now, days_ago=12 - i, rng=rng)
        for i, (reason, text) in enumerate(KETTLE_REPORTS)
    ]
    for i, (sku, title, price, gmv, text) in enumerate(BOOKS):
        book = _product(
            sku, title, price, gmv, batch=("P7", "新华书店总店", PRINTER), warehouse=warehouse
        )
        book_lines = _delivered(book, 6, f"book{i}", now, rng)
        contacts += [
            _contact(book_lines[0], reasons["print-defect"], text, agent_ids, now, 5, rng),
            _contact(book_lines[1], reasons["description-mismatch"], text, agent_ids, now, 3, rng),
        ]
    Contact.objects.bulk_create(contacts)
    contacts_assign_pending()
    problem_alerts_scan(now=now)


def _product(sku, title, price, gmv, *, batch, warehouse) -> Product:
    product = Product.objects.create(sku=sku, title=title, price=price, monthly_gmv=gmv)
    code, supplier, maker = batch
    b = Batch.objects.create(product=product, code=code, supplier=supplier, manufacturer=maker)
    StockLevel.objects.create(product=product, warehouse=warehouse, batch=b, quantity=200)
    return product


def _delivered(
    product: Product, n: int, tag: str, now: dt.datetime, rng: random.Random
) -> list[OrderLine]:
    batch = product.batches.get()
    warehouse = product.stock.get().warehouse
    lines = []
    for i in range(n):
        customer = Customer.objects.create(
            external_id=f"demo-{tag}-{i + 1:02d}", name=f"{tag} {i + 1}"
        )
        placed = now - dt.timedelta(days=rng.randint(14, 25))
        order = Order.objects.create(
            external_id=f"DT-{tag}-{i + 1:03d}", customer=customer, placed_at=placed, channel="app"
        )
        lines.append(
            OrderLine.objects.create(
                order=order,
                line_no=1,
                product=product,
                batch=batch,
                warehouse=warehouse,
                unit_price=product.price,
                fulfilment_status=FulfilmentStatus.DELIVERED,
                status_changed_at=placed + dt.timedelta(days=2),
            )
        )
    return lines


def _contact(line, reason_id, text, agent_ids, now, days_ago, rng) -> Contact:
    return Contact(
        created_at=now - dt.timedelta(days=days_ago, hours=rng.randint(0, 8)),
        customer_id=line.order.customer_id,
        order_line=line,
        product_id=line.product_id,
        reason_id=reason_id,
        text=text,
        channel=rng.choice([Channel.PHONE, Channel.CHAT]),
        handling_seconds=rng.randint(90, 400),
        agent_id=rng.choice(agent_ids),
    )
