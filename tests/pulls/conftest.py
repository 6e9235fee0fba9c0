from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from andon.catalog.models import Batch, Product, StockLevel, Warehouse
from andon.contacts.models import Contact, ReasonCode
from andon.orders.models import Customer, FulfilmentStatus, Order, OrderLine

from ..world import SKU


def seed_product(
    *, sku: str = SKU, packed_lines: int = 5, reporters: int = 2, agent=None
) -> Product:
    """A product in 2 warehouses x 2 batches, `packed_lines` packed orders, and `reporters`
    customers who reported a print defect on a delivered copy. Set-based, so 5,000 is quick."""
    product = Product.objects.create(sku=sku, title="看见", price="39.80")
    warehouses = [
        Warehouse.objects.get_or_create(code=c, defaults={"name": c})[0] for c in ("wh-sh", "wh-bj")
    ]
    batches = [Batch.objects.create(product=product, code=c) for c in ("B1", "B2")]
    StockLevel.objects.bulk_create(
        StockLevel(product=product, warehouse=w, batch=b, quantity=50)
        for w in warehouses
        for b in batches
    )
    n = packed_lines + reporters
    customers = Customer.objects.bulk_create(
        Customer(external_id=f"{sku}-c{i}", name=f"C{i}") for i in range(n)
    )
    now = timezone.now()
    orders = Order.objects.bulk_create(
        Order(external_id=f"{sku}-o{i}", customer=c, placed_at=now - dt.timedelta(days=2))
        for i, c in enumerate(customers)
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=o,
            line_no=1,
            product=product,
            batch=batches[i % 2],
            warehouse=warehouses[i % 2],
            fulfilment_status=(
                FulfilmentStatus.DELIVERED if i < reporters else FulfilmentStatus.PACKED
            ),
        )
        for i, o in enumerate(orders)
    )
    reason = ReasonCode.objects.get(code="print-defect")
    lines = OrderLine.objects.filter(product=product, fulfilment_status="delivered")
    Contact.objects.bulk_create(
        Contact(
            created_at=now,
            customer_id=ln.order.customer_id,
            order_line=ln,
            product=product,
            reason=reason,
            text="100-101页未裁开",
            agent=agent,
        )
        for ln in lines.select_related("order")
    )
    return product


@pytest.fixture
def seeded(world):
    return seed_product(agent=world.users["agent1"])
