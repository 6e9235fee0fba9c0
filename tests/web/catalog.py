"""The story's catalog and orders, loaded through the domain services (as a storefront sync
would; as the operator through a command: actor None), so that console tests start where the
agent's day starts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from andon.catalog.services import BatchIn, warehouse_upsert
from andon.integrations.syncs import LineIn, StockIn, order_sync, product_sync
from andon.orders.models import FulfilmentStatus
from andon.orders.services import customer_upsert

from ..world import SKU

OTHER_SKU = "9787000000001"

CUSTOMERS = {
    "cust-a": ("顾客甲 Alice", "13800000001"),
    "cust-b": ("顾客乙 Bob", "13800000002"),
    "cust-c": ("顾客丙", "13800000003"),
    "cust-d": ("顾客丁", "13800000004"),
    "cust-e": ("顾客戊", "13800000005"),
    "cust-f": ("顾客己", "13800000006"),
}

ORDERS = [
    ("order-a", "cust-a", SKU, "B1", "wh-sh", FulfilmentStatus.DELIVERED, 1),
    ("order-b", "cust-b", SKU, "B1", "wh-bj", FulfilmentStatus.DELIVERED, 1),
    ("order-c", "cust-c", SKU, "B1", "wh-sh", FulfilmentStatus.PACKED, 1),
    ("order-d", "cust-d", SKU, "B2", "wh-bj", FulfilmentStatus.PACKED, 2),
    ("order-e", "cust-e", SKU, "B2", "wh-sh", FulfilmentStatus.PLACED, 1),
    ("order-f", "cust-f", SKU, "B1", "wh-sh", FulfilmentStatus.SHIPPED, 1),
    ("order-g", "cust-e", OTHER_SKU, "X1", "wh-sh", FulfilmentStatus.PACKED, 1),
]


def load_catalog() -> None:
    warehouse_upsert(actor=None, code="wh-sh", name="上海仓")
    warehouse_upsert(actor=None, code="wh-bj", name="北京仓")
    product_sync(
        actor=None,
        sku=SKU,
        title="看见",
        price=Decimal("39.80"),
        monthly_gmv=Decimal("1000000.00"),
        batches=[
            BatchIn("B1", "广西师范大学出版社", "印厂甲"),
            BatchIn("B2", "广西师范大学出版社", "印厂乙"),
        ],
        stock=[
            StockIn("wh-sh", "B1", 120),
            StockIn("wh-sh", "B2", 80),
            StockIn("wh-bj", "B1", 60),
            StockIn("wh-bj", "B2", 40),
        ],
    )
    product_sync(
        actor=None,
        sku=OTHER_SKU,
        title="另一本书",
        price=Decimal("20.00"),
        batches=[BatchIn("X1")],
        stock=[StockIn("wh-sh", "X1", 10)],
    )
    for ext, (name, phone) in CUSTOMERS.items():
        customer_upsert(actor=None, external_id=ext, name=name, phone=phone)
    placed = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    for ext, cust, sku, batch, wh, status, qty in ORDERS:
        order_sync(
            actor=None,
            external_id=ext,
            customer=cust,
            placed_at=placed,
            channel="web",
            lines=[
                LineIn(
                    line_no=1,
                    sku=sku,
                    quantity=qty,
                    unit_price=Decimal("39.80"),
                    batch=batch,
                    warehouse=wh,
                    status=status,
                ),
            ],
        )
