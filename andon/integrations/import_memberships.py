"""The `memberships` import kind: a storefront syncs its own members in bulk, one row per
customer, each applied exactly as PUT /customers/{external_id}/membership applies it
(andon.membership.sync): a new live membership, or the live one moved forward with its
history, audit entries and `membership.*` outbox events. Unlike the catalogue kinds, these
rows do announce themselves: webhooks subscribers other than the storefront (a CRM, the
data warehouse) learn of a conversion or an expiry the same way whichever path brought it.

Set-based per chunk: customers and plans in one read each, the live memberships in one
locked read, one insert, one update, one insert each for history, audit and outbox. The same
file again: every row `unchanged`, nothing written, no event.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext

from andon.membership.models import Plan
from andon.membership.sync import Outcome, Record, memberships_sync
from andon.orders.models import Customer

if TYPE_CHECKING:
    from .import_common import ImportResult, Parsed


def _aware(value: dt.datetime) -> dt.datetime:
    # A spreadsheet's time without a zone is the product's time zone, as elsewhere.
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def memberships(rows: Parsed, result: ImportResult, actor_id: int | None) -> None:
    seen: dict[str, int] = {}
    customers = {
        c.external_id: c
        for c in Customer.objects.filter(external_id__in={r.customer for _, r in rows}).only(
            "id", "external_id"
        )
    }
    plans = {p.code: p for p in Plan.objects.filter(code__in={r.plan for _, r in rows})}
    records: dict[int, tuple[Customer, Record]] = {}
    for n, r in rows:
        if r.customer in seen:
            result.reject(
                n,
                "customer",
                gettext("Same %(column)s as row %(row)s.")
                % {"column": "customer", "row": seen[r.customer]},
            )
        elif r.customer not in customers:
            result.reject(
                n,
                "customer",
                gettext("No customer with external id '%(id)s'.") % {"id": r.customer},
            )
        elif r.plan not in plans:
            result.reject(n, "plan", gettext("No membership plan '%(code)s'.") % {"code": r.plan})
        else:
            seen[r.customer] = n
            records[n] = (
                customers[r.customer],
                Record(
                    plans[r.plan], r.state, _aware(r.started_at), _aware(r.ends_at), r.auto_renew
                ),
            )
    for n, outcome in memberships_sync(records, actor_id=actor_id).items():
        if not isinstance(outcome, Outcome):
            result.reject(n, outcome.field or "row", outcome.detail)
        elif outcome.created:
            result.created += 1
        elif outcome.changed:
            result.updated += 1
        else:
            result.unchanged += 1
