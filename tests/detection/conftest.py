"""A catalogue for detection: products with batches (supplier, printer), warehouses, customers
with delivered order lines; contacts recorded through the intake, as the console and API do."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from andon.catalog.models import Batch, Product, Warehouse
from andon.contacts.models import Contact, ReasonCode
from andon.detection import embedding
from andon.detection.members import Seed
from andon.detection.services import contact_intake
from andon.orders.models import Customer, FulfilmentStatus, Order, OrderLine

_n = itertools.count(1)


@pytest.fixture(scope="session")
def model() -> bool:
    """The sentence model, loaded once for the session (about a second)."""
    assert embedding.warm_up(wait=True), "the sentence model should load from its wheel"
    return True


@pytest.fixture
def catalogue(world):
    for code, zh, en in (
        ("other", "其他", "Other"),
        ("description-mismatch", "与描述不符", "Not as described"),
        ("damaged-in-transit", "运输破损", "Damaged in transit"),
    ):
        ReasonCode.objects.get_or_create(code=code, defaults={"label_zh": zh, "label_en": en})
    return Catalogue(world)


class Catalogue:
    def __init__(self, world) -> None:
        self.world = world
        self.warehouse = Warehouse.objects.get_or_create(code="wh-sh", defaults={"name": "上海仓"})[
            0
        ]

    def product(
        self,
        sku: str,
        *,
        title: str = "看见",
        gmv: str = "1000000",
        manufacturer: str = "",
        supplier: str = "",
        batch: str = "B1",
    ) -> Product:
        product = Product.objects.create(sku=sku, title=title, price="39.80", monthly_gmv=gmv)
        Batch.objects.create(
            product=product, code=batch, manufacturer=manufacturer, supplier=supplier
        )
        return product

    def delivered(
        self, product: Product, customer: str | None = None, *, quantity: int = 1, at=None
    ) -> tuple[str, str]:
        """A customer (new unless named) with a delivered line of the product; returns the
        customer's external id and the order number."""
        customer = customer or f"c{next(_n)}"
        cust = Customer.objects.get_or_create(external_id=customer, defaults={"name": customer})[0]
        order = Order.objects.create(
            external_id=f"o{next(_n)}",
            customer=cust,
            placed_at=(at or timezone.now()) - dt.timedelta(days=3),
        )
        OrderLine.objects.create(
            order=order,
            line_no=1,
            product=product,
            batch=product.batches.first(),
            warehouse=self.warehouse,
            quantity=quantity,
            fulfilment_status=FulfilmentStatus.DELIVERED,
            status_changed_at=at or timezone.now() - dt.timedelta(days=1),
        )
        return customer, order.external_id

    def report(
        self,
        product: Product,
        text: str,
        *,
        reason: str = "print-defect",
        customer: str | None = None,
        agent: str = "agent1",
        at=None,
    ) -> Contact:
        customer, order = self.delivered(product, customer)
        intake = contact_intake(
            actor=self.world.users[agent],
            customer=customer,
            order=order,
            line_no=1,
            reason=reason,
            text=text,
            at=at,
        )
        return intake.contact


def seed_columns(seed: Seed) -> list:
    """A seed's columns as plain values: two reads of one product's candidates compare equal
    when these do."""
    return [
        seed.keys,
        seed.contact_ids,
        seed.customer_ids,
        seed.reason_ids,
        seed.at,
        seed.pinned,
        seed.lexicals,
        seed.vectors.tolist(),
        seed.has_vector.tolist(),
    ]
