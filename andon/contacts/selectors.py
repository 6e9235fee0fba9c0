from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Subquery
from django.utils.translation import gettext as _

from andon.orders.errors import UnknownOrderLine
from andon.orders.models import OrderLine

from .errors import UnknownReason
from .models import Channel as Channel  # the vocabulary interfaces validate against
from .models import Contact, ReasonCode, ReasonRoute

REASON_FIELDS = ("id", "code", "label_zh", "label_en", "threshold", "window_days")
REASON_FLAGS = ("safety_critical", "active")


def line_and_reason(
    *, order: str, line_no: int, reason: str
) -> tuple[OrderLine, ReasonCode | None]:
    """An order line with its order, customer and product, and the active reason `reason`
    (None when there is none), in one statement: the reason's fields ride along as scalar
    subqueries. UnknownOrderLine when the order has no such line."""
    active = ReasonCode.objects.filter(code=reason, active=True)
    fields = {
        f"reason_{name}": Subquery(active.values(name)[:1])
        for name in (*REASON_FIELDS, *REASON_FLAGS)
    }
    try:
        line = (
            OrderLine.objects.select_related("order__customer", "product")
            .annotate(**fields)
            .get(order__external_id=order, line_no=line_no)
        )
    except OrderLine.DoesNotExist:
        raise UnknownOrderLine(
            _("Order “%(order)s” has no line %(line)s.") % {"order": order, "line": line_no},
            field="line_no",
        ) from None
    if line.reason_id is None:  # type: ignore[attr-defined]
        return line, None
    found = ReasonCode(
        **{name: getattr(line, f"reason_{name}") for name in REASON_FIELDS},
        **{name: bool(getattr(line, f"reason_{name}")) for name in REASON_FLAGS},
    )
    found._state.adding = False
    return line, found


def reason_get(*, code: str, field: str = "reason") -> ReasonCode:
    try:
        return ReasonCode.objects.get(code=code, active=True)
    except ReasonCode.DoesNotExist:
        raise UnknownReason(
            _("The reason code “%(code)s” does not exist or is no longer active.") % {"code": code},
            field=field,
        ) from None


def reasons_all() -> list[ReasonCode]:
    """Every reason code, active or not (a problem's old contacts may carry a retired one)."""
    return list(ReasonCode.objects.order_by("code"))


def reasons_active(*, with_routes: bool = False) -> list[ReasonCode]:
    """The active reason codes; `with_routes`: each with its routes and their departments,
    in two more queries whatever the number of reasons (`reason.routes.all()` reads them)."""
    qs = ReasonCode.objects.filter(active=True).order_by("code")
    if with_routes:
        routes = ReasonRoute.objects.select_related("department").order_by("department__code")
        qs = qs.prefetch_related(Prefetch("routes", queryset=routes))
    return list(qs)


def contacts_of_customer(*, customer_id: int, limit: int = 100) -> list[Contact]:
    """A customer's earlier contacts, newest first."""
    return list(
        Contact.objects.filter(customer_id=customer_id)
        .select_related("reason", "product", "order_line__order", "agent")
        .order_by("-created_at", "-id")[:limit]
    )


def contacts_recent_of_product(
    *, product_id: int, since: dt.datetime, limit: int = 50
) -> list[Contact]:
    """A product's contacts since a moment, newest first."""
    return list(
        Contact.objects.filter(product_id=product_id, created_at__gte=since)
        .select_related("reason", "customer", "order_line__order", "agent")
        .order_by("-created_at", "-id")[:limit]
    )


def contacts_by_ids(*, ids: list[int]) -> list[Contact]:
    """Contacts by id, oldest first (an andon's evidence)."""
    return list(
        Contact.objects.filter(id__in=ids)
        .select_related("reason", "customer", "order_line__order", "agent")
        .order_by("created_at", "id")
    )


def contact_get(*, contact_id: int) -> Contact | None:
    """One contact with what its pages show (customer, product, reason); None when unknown."""
    return (
        Contact.objects.select_related("customer", "product", "reason")
        .filter(pk=contact_id)
        .first()
    )
