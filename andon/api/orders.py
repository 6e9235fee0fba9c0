from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from pydantic import BaseModel, Field

from andon.core.errors import Forbidden
from andon.core.http import AuthenticatedRequest
from andon.holds.selectors import held_line_ids
from andon.integrations import syncs
from andon.integrity import scope as integrity_scope
from andon.integrity.tasks import changed as integrity_changed
from andon.orders import services as orders
from andon.orders.rules import mask_address
from andon.orders.selectors import FulfilmentStatus, order_get, order_lines
from andon.people import rules as people_rules
from andon.people.selectors import roles_of

from .guard import IsoDateTime
from .problems import Problem

if TYPE_CHECKING:
    from andon.orders.models import Order, OrderLine

router = Router(tags=["customers & orders"])


class CustomerIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    registered_at: IsoDateTime | None = Field(
        None, description="When the account was created at the storefront."
    )
    address: str = Field("", max_length=300)
    city: str = Field("", max_length=100)
    device_id: str = Field("", max_length=128)


class CustomerOut(BaseModel):
    """A customer as the API returns it: the address masked, as on screen (who loads it knows
    it; who reads it back does not need it)."""

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
    placed_at: IsoDateTime
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


def line_out(line: OrderLine, held: set[int] | None = None) -> LineOut:
    """`held`: the held ones of the lines answered (read once for an order's lines)."""
    if held is None:
        held = held_line_ids(order_line_ids=[line.pk])
    return LineOut(
        line_no=line.line_no,
        sku=line.product.sku,
        quantity=line.quantity,
        status=FulfilmentStatus(line.fulfilment_status),
        on_hold=line.pk in held,
    )


def order_out(order: Order) -> OrderOut:
    lines = order_lines(order_id=order.pk)
    held = held_line_ids(order_line_ids=[ln.pk for ln in lines])
    return OrderOut(
        external_id=order.external_id,
        customer=order.customer.external_id,
        placed_at=order.placed_at,
        channel=order.channel,
        lines=[line_out(ln, held) for ln in lines],
    )


@router.put(
    "/customers/{external_id}",
    response={200: CustomerOut, 201: CustomerOut, 403: Problem, 422: Problem},
)
def customer_put(request: AuthenticatedRequest, external_id: str, payload: CustomerIn):
    customer, created = orders.customer_upsert(
        actor=request.user, external_id=external_id, **payload.model_dump()
    )
    # A new phone, address or device can make or break an account cluster.
    integrity_changed([(integrity_scope.CUSTOMER, external_id)])
    return Status(
        201 if created else 200,
        CustomerOut(
            external_id=customer.external_id,
            name=customer.name,
            phone=customer.phone,
            email=customer.email,
            registered_at=customer.registered_at,
            address=mask_address(customer.address),
            city=customer.city,
            device_id=customer.device_id,
        ),
    )


@router.put(
    "/orders/{external_id}",
    response={200: OrderOut, 201: OrderOut, 403: Problem, 409: Problem, 422: Problem},
)
def order_put(request: AuthenticatedRequest, external_id: str, payload: OrderIn):
    """Create or replace an order and its lines (by line number). A line an open andon holds
    keeps its status, quantity, product and batch: 409, nothing written."""
    order, created = syncs.order_sync(
        actor=request.user,
        external_id=external_id,
        customer=payload.customer,
        placed_at=payload.placed_at,
        channel=payload.channel,
        lines=[syncs.LineIn(**ln.model_dump()) for ln in payload.lines],
    )
    return Status(201 if created else 200, order_out(order))


@router.get("/orders/{external_id}", response={200: OrderOut, 403: Problem, 404: Problem})
def order_read(request: HttpRequest, external_id: str):
    """An order with its lines: for service people and integrators, as in the console."""
    if not people_rules.may_read_orders(roles_of(request.user)):
        raise Forbidden(_("Only service people and integrators read orders."))
    return order_out(order_get(external_id=external_id))


@router.patch(
    "/orders/{external_id}/lines/{line_no}",
    response={200: LineOut, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
)
def order_line_patch(
    request: AuthenticatedRequest, external_id: str, line_no: int, payload: LineStatusIn
):
    """Move a line's fulfilment status. A line held by an andon answers 409 until released."""
    line = syncs.line_status_sync(
        actor=request.user, order=external_id, line_no=line_no, status=payload.status
    )
    return line_out(line)
