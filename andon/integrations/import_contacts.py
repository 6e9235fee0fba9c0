"""The contacts import kind: contacts recorded elsewhere, by external id. They count as
evidence like contacts recorded in Andon; an import never pulls the cord, and never changes
who, where, why and when of a contact already recorded."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext

from andon.contacts.models import Contact, ReasonCode
from andon.contacts.rules import text_problem
from andon.orders.models import Customer, Order, OrderLine

from .import_common import ImportResult, Parsed, unique_rows
from .upserts import upsert

# Who, where and why of a contact are its evidence (an andon may cite it): an import may
# correct the text, channel and handling time of a contact, never these.
CONTACT_FIXED = ("customer_id", "order_line_id", "reason_id", "agent_id", "created_at")
FUTURE_TOLERANCE = dt.timedelta(minutes=5)  # clocks of other systems drift a little


def contacts(rows: Parsed, result: ImportResult, actor_id: int | None) -> None:
    rows = unique_rows(rows, lambda r: r.external_id, result, "external_id")
    custs = dict(
        Customer.objects.filter(external_id__in={r.customer for _, r in rows}).values_list(
            "external_id", "id"
        )
    )
    orders = {
        ext: (oid, cid)
        for ext, oid, cid in Order.objects.filter(
            external_id__in={r.order for _, r in rows}
        ).values_list("external_id", "id", "customer_id")
    }
    lines = {
        (oid, no): (lid, pid)
        for lid, oid, no, pid in OrderLine.objects.filter(
            order_id__in=[o for o, _ in orders.values()]
        ).values_list("id", "order_id", "line_no", "product_id")
    }
    reasons = dict(
        ReasonCode.objects.filter(code__in={r.reason for _, r in rows}).values_list("code", "id")
    )
    agents = dict(
        get_user_model()
        .objects.filter(username__in={r.agent for _, r in rows}, is_active=True)
        .values_list("username", "id")
    )
    existing = Contact.objects.in_bulk([r.external_id for _, r in rows], field_name="external_id")
    latest = timezone.now() + FUTURE_TOLERANCE
    items = []
    for n, r in rows:
        at = r.created_at if timezone.is_aware(r.created_at) else timezone.make_aware(r.created_at)
        order = orders.get(r.order)
        line = lines.get((order[0], r.line_no)) if order else None
        if r.customer not in custs:
            result.reject(
                n,
                "customer",
                gettext("No customer with external id “%(id)s”.") % {"id": r.customer},
            )
        elif order is None:
            result.reject(n, "order", gettext("No order “%(order)s”.") % {"order": r.order})
        elif order[1] != custs[r.customer]:
            result.reject(
                n,
                "customer",
                gettext("Order “%(order)s” belongs to another customer than “%(customer)s”.")
                % {"order": r.order, "customer": r.customer},
            )
        elif line is None:
            result.reject(
                n,
                "line_no",
                gettext("Order “%(order)s” has no line %(line)s.")
                % {"order": r.order, "line": r.line_no},
            )
        elif (problem := text_problem(r.text)) is not None:
            result.reject(n, "text", problem)
        elif r.reason not in reasons:
            result.reject(n, "reason", gettext("No reason code “%(code)s”.") % {"code": r.reason})
        elif r.agent not in agents:
            result.reject(
                n, "agent", gettext("No active user “%(username)s”.") % {"username": r.agent}
            )
        elif at > latest:
            result.reject(n, "created_at", gettext("A contact cannot be recorded in the future."))
        else:
            values = {
                "external_id": r.external_id,
                "created_at": at,
                "customer_id": custs[r.customer],
                "order_line_id": line[0],
                "product_id": line[1],
                "reason_id": reasons[r.reason],
                "agent_id": agents[r.agent],
                "text": r.text,
                "channel": r.channel,
                "handling_seconds": r.handling_seconds,
            }
            current = existing.get(r.external_id)
            changed = [
                f for f in CONTACT_FIXED if current is not None and getattr(current, f) != values[f]
            ]
            if changed:
                result.reject(
                    n,
                    changed[0].removesuffix("_id"),
                    gettext(
                        "Contact “%(id)s” was recorded with another %(field)s; the customer, "
                        "order line, reason, agent and time of a contact do not change."
                    )
                    % {"id": r.external_id, "field": changed[0].removesuffix("_id")},
                )
            else:
                items.append((r.external_id, values))
    upsert(Contact, items, existing, ["external_id"], result, touch=("changed_at",))
    # A complaint on a product in a staged relist's watch stops it again, in the chunk's
    # transaction, as a contact recorded live does (one query when none is concerned). Imported
    # here: pulls.watch loads detection (numpy, the model), which only contacts need.
    from andon.pulls.watch import watch_contacts_imported

    watch_contacts_imported(external_ids=[e for e, _ in items], actor_id=actor_id)
