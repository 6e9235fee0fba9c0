from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.db import connection
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from andon.catalog.models import Product
from andon.core.sql import ModelColumns, model_columns
from andon.orders.errors import UnknownOrderLine
from andon.orders.models import Customer, Order, OrderLine

from .errors import UnknownReason
from .models import Channel as Channel  # the vocabulary interfaces validate against
from .models import Contact, ReasonCode, ReasonRoute


def line_and_reason(
    *, order: str, line_no: int, reason: str
) -> tuple[OrderLine, ReasonCode | None]:
    """An order line with its order, customer and product, and the active reason `reason`
    (None when there is none), in one statement: the reason rides along as an outer join of
    at most one row (codes are unique). UnknownOrderLine when the order has no such line.
    Every contact runs it: hand-written, its text built once per process (the ORM's joins
    cost more CPU to build than the database spends on them)."""
    parts = _line_parts()
    with connection.cursor() as cur:
        cur.execute(_line_sql(connection.vendor), [reason, True, order, line_no])
        row = cur.fetchone()
    if row is None:
        raise UnknownOrderLine(
            _("Order “%(order)s” has no line %(line)s.") % {"order": order, "line": line_no},
            field="line_no",
        )
    made = []
    for cols in parts:
        made.append(cols.build(row[: len(cols)]))
        row = row[len(cols) :]
    line, order_, customer, product, found = made
    order_.customer = customer
    line.order = order_
    line.product = product
    return line, found if found.pk is not None else None  # no such active reason: NULLs


def _line_parts() -> tuple[ModelColumns, ...]:
    return tuple(model_columns(m, a) for m, a in _LINE_TABLES)


_LINE_TABLES = ((OrderLine, "l"), (Order, "o"), (Customer, "cu"), (Product, "p"), (ReasonCode, "r"))


@lru_cache(maxsize=2)
def _line_sql(vendor: str) -> str:
    q = connection.ops.quote_name
    t = {a: q(m._meta.db_table) for m, a in _LINE_TABLES}
    return (
        f"SELECT {', '.join(c.sql for c in _line_parts())} FROM {t['l']} l "
        f"JOIN {t['o']} o ON o.id = l.order_id JOIN {t['cu']} cu ON cu.id = o.customer_id "
        f"JOIN {t['p']} p ON p.id = l.product_id "
        f"LEFT JOIN {t['r']} r ON r.{q('code')} = %s AND r.active = %s "
        "WHERE o.external_id = %s AND l.line_no = %s"
    )


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
