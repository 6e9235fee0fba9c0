"""A product with many past buyers of its batch, a pull, and some who already called."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from andon.catalog.models import Batch, Product
from andon.contacts.models import Contact, ReasonCode
from andon.orders.models import Customer, FulfilmentStatus, Order, OrderLine
from andon.pulls.models import Andon
from andon.pulls.services import andon_pull

SKU = "9787544291170"


def past_buyers_world(world, buyers: int, contacted: int = 3, sku: str = SKU) -> Andon:
    """`buyers` customers with a delivered copy; the first `contacted` reported it; one more
    customer bought long ago (outside the window). Set-based: 100,000 in seconds."""
    now = timezone.now()
    product = Product.objects.create(sku=sku, title="百年孤独", price="55.00")
    batch = Batch.objects.create(product=product, code="B-2026-11")
    step = 5000
    for start in range(0, buyers + 1, step):
        n = min(step, buyers + 1 - start)
        customers = Customer.objects.bulk_create(
            Customer(external_id=f"{sku}-c{i}", name=f"读者{i}") for i in range(start, start + n)
        )
        orders = Order.objects.bulk_create(
            Order(
                external_id=f"{sku}-o{start + i}",
                customer=c,
                placed_at=now - dt.timedelta(days=400 if start + i == buyers else 10),
            )
            for i, c in enumerate(customers)
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=o,
                line_no=1,
                product=product,
                batch=batch,
                fulfilment_status=FulfilmentStatus.DELIVERED,
                status_changed_at=o.placed_at + dt.timedelta(days=3),
            )
            for o in orders
        )
    reason = ReasonCode.objects.get(code="print-defect")
    lines = OrderLine.objects.filter(product=product).select_related("order").order_by("pk")
    Contact.objects.bulk_create(
        Contact(
            created_at=now,
            customer_id=ln.order.customer_id,
            order_line=ln,
            product=product,
            reason=reason,
            text="白页",
            agent=world.users["agent1"],
        )
        for ln in lines[:contacted]
    )
    pulled = andon_pull(actor=world.users["agent1"], sku=sku, reason="print-defect", note="白页")
    return pulled.andon
