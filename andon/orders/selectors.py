from __future__ import annotations

from .errors import OrderLineNotFound, UnknownCustomer, UnknownOrderLine
from .models import Customer, OrderLine


def customer_get(*, external_id: str, field: str = "customer") -> Customer:
    try:
        return Customer.objects.get(external_id=external_id)
    except Customer.DoesNotExist:
        raise UnknownCustomer(f"No customer with id '{external_id}'.", field=field) from None


def order_line_get(*, order: str, line_no: int, as_reference: bool = False) -> OrderLine:
    try:
        return OrderLine.objects.select_related("order", "product").get(
            order__external_id=order, line_no=line_no
        )
    except OrderLine.DoesNotExist:
        msg = f"Order '{order}' has no line {line_no}."
        if as_reference:
            raise UnknownOrderLine(msg, field="line_no") from None
        raise OrderLineNotFound(msg, field="line_no") from None
