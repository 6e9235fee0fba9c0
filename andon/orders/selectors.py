from __future__ import annotations

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from .errors import OrderLineNotFound, OrderNotFound, UnknownCustomer, UnknownOrderLine
from .models import Customer, Order, OrderLine
from .models import FulfilmentStatus as FulfilmentStatus  # the vocabulary of the interfaces


def customer_get(*, external_id: str, field: str = "customer") -> Customer:
    try:
        return Customer.objects.get(external_id=external_id)
    except Customer.DoesNotExist:
        raise UnknownCustomer(
            _("No customer with id “%(id)s”.") % {"id": external_id}, field=field
        ) from None


def order_line_get(*, order: str, line_no: int, as_reference: bool = False) -> OrderLine:
    try:
        return OrderLine.objects.select_related("order", "product").get(
            order__external_id=order, line_no=line_no
        )
    except OrderLine.DoesNotExist:
        msg = _("Order “%(order)s” has no line %(line)s.") % {"order": order, "line": line_no}
        if as_reference:
            raise UnknownOrderLine(msg, field="line_no") from None
        raise OrderLineNotFound(msg, field="line_no") from None


def customers_search(*, q: str, limit: int = 20) -> list[Customer]:
    """The agent's search box: a customer by name, phone, customer id or order number."""
    q = (q or "").strip()
    if not q:
        return []
    return list(
        Customer.objects.filter(
            Q(name__icontains=q)
            | Q(phone__icontains=q)
            | Q(external_id__iexact=q)
            | Q(orders__external_id__iexact=q)
        )
        .distinct()
        .order_by("name", "external_id")[:limit]
    )


def customer_orders(*, customer_id: int, limit: int = 50) -> list[Order]:
    """A customer's orders, newest first, each with its lines (product, batch, warehouse)."""
    lines = OrderLine.objects.select_related("product", "batch", "warehouse").order_by("line_no")
    return list(
        Order.objects.filter(customer_id=customer_id)
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("-placed_at", "-id")[:limit]
    )


def customer_find(*, external_id: str) -> Customer | None:
    """The customer a URL names, or None (the caller answers 404)."""
    return Customer.objects.filter(external_id=external_id).first()


def order_get(*, external_id: str) -> Order:
    """An order as the API reads it back, with its customer (404 when there is none)."""
    order = Order.objects.select_related("customer").filter(external_id=external_id).first()
    if order is None:
        raise OrderNotFound(
            _("No order '%(order)s'.") % {"order": external_id}, field="external_id"
        )
    return order


def order_lines(*, order_id: int) -> list[OrderLine]:
    return list(
        OrderLine.objects.filter(order_id=order_id).select_related("product").order_by("line_no")
    )
