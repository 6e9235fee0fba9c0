"""The story of SPEC.md, ready to click: the book 《看见》 in two warehouses and two batches,
customers A and B with a delivered copy each and no contact yet, and more orders of the book
packed (to be held by the pull), placed and shipped (not to be held)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from andon.catalog.models import Batch, Product, StockLevel, Warehouse
from andon.orders.models import Customer, Order, OrderLine

SKU = "9787549529322"
TITLE = "看见"
PRICE = Decimal("39.80")
NOTE = "100-101页未裁开"

WAREHOUSES = [("wh-shanghai", "上海仓"), ("wh-beijing", "北京仓"), ("wh-guangzhou", "广州仓")]
BOOK_WAREHOUSES = ("wh-shanghai", "wh-beijing")
PUBLISHER = "广西师范大学出版社"
BATCHES = [
    ("B1", "桂林广大印务有限公司", dt.date(2024, 9, 2)),
    ("B2", "南宁华彩印务有限公司", dt.date(2025, 1, 15)),
]
STOCK = {
    ("wh-shanghai", "B1"): 120,
    ("wh-shanghai", "B2"): 80,
    ("wh-beijing", "B1"): 60,
    ("wh-beijing", "B2"): 40,
}

CUSTOMERS = [
    ("cust-a", "林晓雯", "13801234567"),
    ("cust-b", "周建国", "13918765432"),
    ("cust-c", "陈思远", "13612349876"),
    ("cust-d", "郭雨桐", "15098761234"),
    ("cust-e", "宋子涵", "18623456789"),
    ("cust-f", "韩梓萱", "15876543210"),
    ("cust-g", "唐俊杰", "13787654321"),
    ("cust-h", "冯欣怡", "18812340987"),
    ("cust-i", "曹一诺", "13598760123"),
    ("cust-j", "彭浩然", "17734561234"),
]
# order, customer, warehouse, batch, status, quantity, days ago
ORDERS = [
    ("order-a", "cust-a", "wh-shanghai", "B1", "delivered", 1, 9),
    ("order-b", "cust-b", "wh-beijing", "B1", "delivered", 1, 6),
    ("order-c", "cust-c", "wh-shanghai", "B1", "packed", 1, 1),
    ("order-d", "cust-d", "wh-beijing", "B2", "packed", 2, 1),
    ("order-e", "cust-e", "wh-shanghai", "B2", "packed", 1, 1),
    ("order-f", "cust-f", "wh-beijing", "B1", "packed", 1, 0),
    ("order-g", "cust-g", "wh-shanghai", "B1", "packed", 1, 0),
    ("order-h", "cust-h", "wh-shanghai", "B2", "placed", 1, 0),
    ("order-i", "cust-i", "wh-beijing", "B1", "placed", 1, 0),
    ("order-j", "cust-j", "wh-shanghai", "B1", "shipped", 1, 2),
    ("order-k", "cust-c", "wh-beijing", "B2", "shipped", 1, 3),
]
PACKED_LINES = sum(1 for o in ORDERS if o[4] == "packed")
STOCK_UNITS = sum(STOCK.values())


def warehouses_load() -> dict[str, Warehouse]:
    Warehouse.objects.bulk_create(Warehouse(code=c, name=n) for c, n in WAREHOUSES)
    return {w.code: w for w in Warehouse.objects.all()}


def story_load(warehouses: dict[str, Warehouse], now: dt.datetime) -> Product:
    book = Product.objects.create(
        sku=SKU,
        title=TITLE,
        price=PRICE,
        monthly_gmv=Decimal("1000000.00"),
    )
    batches = {
        code: Batch.objects.create(
            product=book, code=code, supplier=PUBLISHER, manufacturer=printer, received_at=received
        )
        for code, printer, received in BATCHES
    }
    StockLevel.objects.bulk_create(
        StockLevel(product=book, warehouse=warehouses[wh], batch=batches[b], quantity=q)
        for (wh, b), q in STOCK.items()
    )
    customers = {
        ext: Customer.objects.create(
            external_id=ext, name=name, phone=phone, email=f"{ext}@example.com"
        )
        for ext, name, phone in CUSTOMERS
    }
    for ext, cust, wh, batch, status, qty, days in ORDERS:
        placed = now - dt.timedelta(days=days, hours=3)
        order = Order.objects.create(
            external_id=ext, customer=customers[cust], placed_at=placed, channel="web"
        )
        OrderLine.objects.create(
            order=order,
            line_no=1,
            product=book,
            batch=batches[batch],
            warehouse=warehouses[wh],
            quantity=qty,
            unit_price=PRICE,
            fulfilment_status=status,
            status_changed_at=placed + dt.timedelta(hours=2),
        )
    return book
