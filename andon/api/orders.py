from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from pydantic import BaseModel, Field

from andon.core.errors import Forbidden
from andon.orders import services as orders
from andon.orders.errors import OrderNotFound
from andon.orders.models import FulfilmentStatus, Order, OrderLine
from andon.people import rules as people_rules
from andon.people.selectors import roles_of
from andon.pulls.services import holds_catch_up

from .problems import Problem

router = Router(tags=["customers & orders"])


class CustomerIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    registered_at: dt.datetime | None = Field(
        None, description="When the account was created at the storefront."
    )
    address: str = Field("", max_length=300)
    city: str = Field("", max_length=100)
    device_id: str = Field("", max_length=128)


class CustomerOut(BaseModel):
    external_id: str
    name: str
    phone: str
    email: str
    registered_at: dt.datetime | None = None
    address: str = ""
    city: str = ""
    device_id: str = ""


class LineIn(BaseModel):
    line_no: int = Field(ge=1, le=10_000)
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(1, ge=1, le=100_000)
    unit_price: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    batch: str | None = Field(None, max_length=64)
    warehouse: str | None = Field(None, max_length=50)
    status: FulfilmentStatus = FulfilmentStatus.PLACED


class OrderIn(BaseModel):
    customer: str = Field(min_length=1, max_length=64, description="The customer's external id.")
    placed_at: dt.datetime
    channel: str = Field("", max_length=40)
    lines: list[LineIn] = Field(min_length=1, max_length=1000)


class LineOut(BaseModel):
    line_no: int
    sku: str
    quantity: int
    status: FulfilmentStatus
    on_hold: bool


class OrderOut(BaseModel):
    external_id: str
    customer: str
    placed_at: dt.datetime
    channel: str
    lines: list[LineOut]


class LineStatusIn(BaseModel):
    status: FulfilmentStatus


def _require_integrator(request: HttpRequest) -> None:
    if not people_rules.may_load_catalog(roles_of(request.user)):
        raise Forbidden(_("Only integrators and admins load customers and orders."))


def line_out(line: OrderLine) -> LineOut:
    return LineOut(
        line_no=line.line_no,
        sku=line.product.sku,
        quantity=line.quantity,
        status=FulfilmentStatus(line.fulfilment_status),
        on_hold=line.on_hold,
    )


def order_out(order: Order) -> OrderOut:
    lines = order.lines.select_related("product").order_by("line_no")
    return OrderOut(
        external_id=order.external_id,
        customer=order.customer.external_id,
        placed_at=order.placed_at,
        channel=order.channel,
        lines=[line_out(ln) for ln in lines],
    )


@router.put(
    "/customers/{external_id}",
    response={200: CustomerOut, 201: CustomerOut, 403: Problem, 422: Problem},
)
def customer_put(request: HttpRequest, external_id: str, payload: CustomerIn):
    _require_integrator(request)
    customer, created = orders.customer_upsert(external_id=external_id, **payload.model_dump())
    return Status(
        201 if created else 200,
        CustomerOut(
            external_id=customer.external_id,
            name=customer.name,
            phone=customer.phone,
            email=customer.email,
            registered_at=customer.registered_at,
            address=customer.address,
            city=customer.city,
            device_id=customer.device_id,
        ),
    )


@router.put(
    "/orders/{external_id}",
    response={200: OrderOut, 201: OrderOut, 403: Problem, 409: Problem, 422: Problem},
)
def order_put(request: HttpRequest, external_id: str, payload: OrderIn):
    """Create or replace an order and its lines (by line number)."""
    _require_integrator(request)
    with transaction.atomic():
        order, created = orders.order_upsert(
            external_id=external_id,
            customer=payload.customer,
            placed_at=payload.placed_at,
            channel=payload.channel,
            lines=[orders.LineIn(**ln.model_dump()) for ln in payload.lines],
        )
        # A line packed while its product is stopped is held by the open andon at once.
        holds_catch_up(
            product_ids=order.lines.values_list("product_id", flat=True), actor_id=request.user.pk
        )
    return Status(201 if created else 200, order_out(order))


@router.get("/orders/{external_id}", response={200: OrderOut, 404: Problem})
def order_read(request: HttpRequest, external_id: str):
    order = Order.objects.select_related("customer").filter(external_id=external_id).first()
    if order is None:
        raise OrderNotFound(
            _("No order '%(order)s'.") % {"order": external_id}, field="external_id"
        )
    return order_out(order)


@router.patch(
    "/orders/{external_id}/lines/{line_no}",
    response={200: LineOut, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
)
def order_line_patch(request: HttpRequest, external_id: str, line_no: int, payload: LineStatusIn):
    """Move a line's fulfilment status. A line held by an andon answers 409 until released."""
    _require_integrator(request)
    with transaction.atomic():
        line = orders.order_line_set_status(
            order=external_id, line_no=line_no, status=payload.status
        )
        if holds_catch_up(product_ids=[line.product_id], actor_id=request.user.pk):
            line.refresh_from_db()
    return line_out(line)
