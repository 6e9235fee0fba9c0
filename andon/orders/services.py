"""Writes to customers and orders, as a storefront sync makes them."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from andon.core.services import Audit, audit_record
from andon.people import rules as people_rules
from andon.people.selectors import actor_require

from .models import Customer, Order
from .selectors import customer_get


def require_integrator(actor: User | None) -> None:
    # None: the operator of the machine, through a command (andon import, the demo loader).
    if actor is not None:
        actor_require(
            actor,
            people_rules.may_load_catalog,
            _("Only integrators and admins load customers and orders."),
        )


def customer_upsert(
    *,
    actor: User | None,
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
    require_integrator(actor)
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


def order_upsert(
    *, actor: User | None, external_id: str, customer: str, placed_at: dt.datetime, channel: str
) -> tuple[Order, bool]:
    """Create or update an order's header. Its lines are goods an andon may hold: they are
    written through integrations.goods (held goods are frozen, holds.rules)."""
    require_integrator(actor)
    cust = customer_get(external_id=customer)
    return Order.objects.update_or_create(
        external_id=external_id,
        defaults={"customer": cust, "placed_at": placed_at, "channel": channel},
    )


@transaction.atomic
def customer_phone_reveal(*, actor: User, external_id: str) -> str:
    """The customer's full phone number, for a service person calling back; the reveal is
    written to the audit trail (who, whose number, when) in the same transaction."""
    actor_require(
        actor,
        people_rules.may_reveal_phone,
        _("Only agents and team leads see a customer's full phone number."),
    )
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
