from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from .errors import UnknownReason
from .models import Channel as Channel  # the vocabulary interfaces validate against
from .models import Contact, ReasonCode, ReasonRoute


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
