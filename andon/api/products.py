from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from pydantic import BaseModel, Field

from andon.catalog import services as catalog
from andon.catalog.selectors import product_get, stock_units
from andon.contacts.selectors import reason_get
from andon.core.http import AuthenticatedRequest
from andon.integrations import syncs
from andon.pulls.selectors import eligibility_for, open_andons_of

from .guard import IsoDate
from .problems import Problem
from .schemas import EligibilityOut, eligibility_out

if TYPE_CHECKING:
    from andon.catalog.models import Product

router = Router(tags=["catalog"])

CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class BatchIn(BaseModel):
    code: str = Field(min_length=1, max_length=64)
    supplier: str = Field("", max_length=200)
    manufacturer: str = Field("", max_length=200, description="Manufacturer or printer.")
    received_at: IsoDate | None = None


class StockIn(BaseModel):
    warehouse: str = Field(min_length=1, max_length=50)
    batch: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=0, le=10_000_000)


class ProductIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    monthly_gmv: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    batches: list[BatchIn] = []
    stock: list[StockIn] = Field([], description="Units per warehouse and batch (replaces).")


class AndonBrief(BaseModel):
    id: int
    reason: str
    state: str
    note: str
    opened_at: dt.datetime
    work_orders_open: int


class ProductOut(BaseModel):
    sku: str
    title: str
    price: Decimal
    currency: str
    listing_status: str = Field(description="active, or suppressed (stop-sell) by an andon")
    listing_changed_at: dt.datetime | None
    stock_units: int
    open_andons: list[AndonBrief]


class WarehouseIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class WarehouseOut(BaseModel):
    code: str
    name: str


def product_out(product: Product) -> ProductOut:
    return ProductOut(
        sku=product.sku,
        title=product.title,
        price=product.price,
        currency=product.currency,
        listing_status=product.listing_status,
        listing_changed_at=product.listing_changed_at,
        stock_units=stock_units(product_id=product.pk),
        open_andons=[
            AndonBrief(
                id=v.andon.pk,
                reason=v.andon.reason.code,
                state=v.andon.state,
                note=v.andon.note,
                opened_at=v.andon.opened_at,
                work_orders_open=sum(1 for w in v.work_orders if w.state != "closed"),
            )
            for v in open_andons_of(product=product)
        ],
    )


@router.put(
    "/products/{sku}",
    response={200: ProductOut, 201: ProductOut, 403: Problem, 409: Problem, 422: Problem},
)
def product_put(request: AuthenticatedRequest, sku: str, payload: ProductIn):
    """Create or update a product by SKU. The listing status is not writable: only the cord
    suppresses and relists. Stock an open andon holds keeps its quantity: 409, nothing
    written."""
    product, created = syncs.product_sync(
        actor=request.user,
        sku=sku,
        title=payload.title,
        price=payload.price,
        monthly_gmv=payload.monthly_gmv,
        batches=[catalog.BatchIn(**b.model_dump()) for b in payload.batches],
        stock=[syncs.StockIn(**s.model_dump()) for s in payload.stock],
    )
    return Status(201 if created else 200, product_out(product))


@router.get("/products/{sku}", response={200: ProductOut, 404: Problem})
def product_read(request: HttpRequest, sku: str):
    return product_out(product_get(sku=sku))


@router.get(
    "/products/{sku}/eligibility", response={200: EligibilityOut, 404: Problem, 422: Problem}
)
def product_eligibility(request: HttpRequest, sku: str, reason: str):
    """May the cord be pulled on this product for this reason now, and if not, what is missing."""
    reason_code = reason_get(code=reason)
    decision = eligibility_for(product=product_get(sku=sku), reason=reason_code, now=timezone.now())
    return eligibility_out(decision, reason_code.label)


@router.put(
    "/warehouses/{code}",
    response={200: WarehouseOut, 201: WarehouseOut, 403: Problem, 422: Problem},
)
def warehouse_put(request: AuthenticatedRequest, code: str, payload: WarehouseIn):
    warehouse, created = catalog.warehouse_upsert(actor=request.user, code=code, name=payload.name)
    return Status(201 if created else 200, {"code": warehouse.code, "name": warehouse.name})
