from __future__ import annotations

import datetime as dt
import json

from django.db import connection
from django.db.models import Prefetch
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from andon.orders.errors import UnknownOrderLine
from andon.orders.models import OrderLine

from .errors import UnknownReason
from .models import Channel as Channel  # the vocabulary interfaces validate against
from .models import Contact, ReasonCode, ReasonRoute

REASON_FIELDS = (
    *("id", "code", "label_zh", "label_en"),
    *("threshold", "window_days", "safety_critical", "active"),
)


def _reason_json(code: str) -> RawSQL:
    """The active reason `code` as one JSON object (text), or NULL: one scalar subquery."""
    q = connection.ops.quote_name
    table = q(ReasonCode._meta.db_table)
    pairs = ", ".join(f"'{name}', r.{q(name)}" for name in REASON_FIELDS)
    build = "json_build_object" if connection.vendor == "postgresql" else "json_object"
    cast = "::text" if connection.vendor == "postgresql" else ""
    return RawSQL(
        f"(SELECT {build}({pairs}){cast} FROM {table} r WHERE r.{q('code')} = %s AND r.active)",
        (code,),
    )


def line_and_reason(
    *, order: str, line_no: int, reason: str
) -> tuple[OrderLine, ReasonCode | None]:
    """An order line with its order, customer and product, and the active reason `reason`
    (None when there is none), in one statement: the reason rides along as one JSON scalar
    subquery. UnknownOrderLine when the order has no such line."""
    try:
        line = (
            OrderLine.objects.select_related("order__customer", "product")
            .annotate(reason_json=_reason_json(reason))
            .get(order__external_id=order, line_no=line_no)
        )
    except OrderLine.DoesNotExist:
        raise UnknownOrderLine(
            _("Order “%(order)s” has no line %(line)s.") % {"order": order, "line": line_no},
            field="line_no",
        ) from None
    raw = line.reason_json
    if raw is None:
        return line, None
    values = json.loads(raw)
    found = ReasonCode(
        **{
            name: values[name]
            for name in REASON_FIELDS
            if name not in ("safety_critical", "active")
        },
        safety_critical=bool(values["safety_critical"]),
        active=bool(values["active"]),
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


def reason_with_routes(*, code: str, field: str = "reason") -> tuple[ReasonCode, list[ReasonRoute]]:
    """The active reason `code` (UnknownReason as `reason_get`) and its routes with their
    departments, by department code: one query, the reason read with its routes (a second
    only when it routes nowhere)."""
    routes = list(
        ReasonRoute.objects.select_related("reason", "department")
        .filter(reason__code=code, reason__active=True)
        .order_by("department__code")
    )
    if not routes:
        return reason_get(code=code, field=field), []
    reason = routes[0].reason
    for r in routes:
        r.reason = reason
    return reason, routes


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
