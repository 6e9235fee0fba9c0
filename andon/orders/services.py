"""Writes to customers and orders, as a storefront sync makes them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from andon.catalog.errors import UnknownBatch, UnknownProduct, UnknownWarehouse
from andon.catalog.models import Batch, Product, Warehouse
from andon.core.errors import Forbidden
from andon.core.services import Audit, audit_record
from andon.people import rules as people_rules
from andon.people.selectors import roles_of

from .errors import LineOnHold
from .models import Customer, FulfilmentStatus, Order, OrderLine
from .selectors import customer_get, order_line_get


@dataclass(frozen=True)
class LineIn:
    line_no: int
    sku: str
    quantity: int = 1
    unit_price: Decimal = Decimal("0")
    batch: str | None = None
    warehouse: str | None = None
    status: FulfilmentStatus = FulfilmentStatus.PLACED


def customer_upsert(
    *,
    external_id: str,
    name: str,
    phone: str = "",
    email: str = "",
    registered_at: dt.datetime | None = None,
    address: str = "",
    city: str = "",
    device_id: str = "",
) -> tuple[Customer, bool]:
    """Create or replace a customer. The address key is derived in the model's save."""
    return Customer.objects.update_or_create(
        external_id=external_id,
        defaults={
            "name": name,
            "phone": phone,
            "email": email,
            "registered_at": registered_at,
            "address": address,
            "city": city,
            "device_id": device_id,
        },
    )


@transaction.atomic
def order_upsert(
    *, external_id: str, customer: str, placed_at: dt.datetime, channel: str, lines: list[LineIn]
) -> tuple[Order, bool]:
    cust = customer_get(external_id=customer)
    order, created = Order.objects.update_or_create(
        external_id=external_id,
        defaults={"customer": cust, "placed_at": placed_at, "channel": channel},
    )
    # The listings first, in id order: the cord's lock order (listing -> lines), so that a
    # pull on one of these products waits for this write or this write waits for the pull.
    products = {
        p.sku: p
        for p in Product.objects.select_for_update()
        .filter(sku__in={ln.sku for ln in lines})
        .order_by("pk")
    }
    warehouses = {
        w.code: w for w in Warehouse.objects.filter(code__in={ln.warehouse for ln in lines})
    }
    batches = {
        (b.product_id, b.code): b
        for b in Batch.objects.filter(
            product__in=products.values(), code__in={ln.batch for ln in lines}
        )
    }
    existing = {ln.line_no: ln for ln in order.lines.all()}
    for i, ln in enumerate(lines):
        product = products.get(ln.sku)
        if product is None:
            raise UnknownProduct(
                _("No product with SKU “%(sku)s”.") % {"sku": ln.sku}, field=f"lines[{i}].sku"
            )
        warehouse = warehouses.get(ln.warehouse) if ln.warehouse else None
        if ln.warehouse and warehouse is None:
            raise UnknownWarehouse(
                _("No warehouse with code “%(code)s”.") % {"code": ln.warehouse},
                field=f"lines[{i}].warehouse",
            )
        batch = batches.get((product.id, ln.batch)) if ln.batch else None
        if ln.batch and batch is None:
            raise UnknownBatch(
                _("Product %(sku)s has no batch “%(batch)s”.") % {"sku": ln.sku, "batch": ln.batch},
                field=f"lines[{i}].batch",
            )
        current = existing.get(ln.line_no)
        if current and current.on_hold and ln.status != current.fulfilment_status:
            raise LineOnHold(
                _on_hold(ln.line_no, external_id),
                field=f"lines[{i}].status",
            )
        OrderLine.objects.update_or_create(
            order=order,
            line_no=ln.line_no,
            defaults={
                "product": product,
                "batch": batch,
                "warehouse": warehouse,
                "quantity": ln.quantity,
                "unit_price": ln.unit_price,
                "fulfilment_status": ln.status,
                "status_changed_at": timezone.now(),
            },
        )
    return order, created


@transaction.atomic
def order_line_set_status(*, order: str, line_no: int, status: FulfilmentStatus) -> OrderLine:
    """A held line keeps its status: it must not ship before the andon's findings say so."""
    line = order_line_get(order=order, line_no=line_no)
    list(Product.objects.select_for_update().filter(pk=line.product_id).values_list("pk"))
    line = OrderLine.objects.select_for_update().get(pk=line.pk)
    if line.on_hold and status != line.fulfilment_status:
        raise LineOnHold(
            _on_hold(line_no, order),
            field="status",
        )
    line.fulfilment_status = status
    line.status_changed_at = timezone.now()
    line.save(update_fields=["fulfilment_status", "status_changed_at"])
    return line


def _on_hold(line_no: int, order: str) -> str:
    return _(
        "Line %(line)s of order %(order)s is on hold by an andon; its status changes "
        "when the hold is released."
    ) % {"line": line_no, "order": order}


@transaction.atomic
def customer_phone_reveal(*, actor: User, external_id: str) -> str:
    """The customer's full phone number, for a service person calling back; the reveal is
    written to the audit trail (who, whose number, when) in the same transaction."""
    if not people_rules.may_reveal_phone(roles_of(actor)):
        raise Forbidden(_("Only agents and team leads see a customer's full phone number."))
    customer = customer_get(external_id=external_id)
    audit_record(
        actor_id=actor.pk,
        at=timezone.now(),
        entries=[
            Audit(
                "customer.phone_revealed",
                "customer",
                customer.external_id,
                data={"customer": customer.external_id},
            )
        ],
    )
    return customer.phone
