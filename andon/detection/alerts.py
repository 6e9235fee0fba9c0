"""Complaint-rate alerts (SPEC capability 6): per product, distinct complaining customers /
units delivered in the window, tested against the rest of the catalogue (complaint_rate.py
says how).
Units delivered: the delivered order lines Andon holds, or what the storefront's monthly GMV
implies (GMV / price over the window) when that is more.

`problem_alerts_scan` is the one writer: it raises an alert (outbox `problem.alerted`),
refreshes the numbers of an open one, and clears one whose rate fell back. Run it from
`andon detection alerts` (cron, e.g. hourly: a rate over 30 days moves slowly). It reads aggregates
only and locks nothing but its own alert rows: the cord never waits for it. Its outbox events
carry the SKU in the payload, not in the per-product sequence (that sequence orders the
listing's stop-sell and relist, which an alert does not change, and taking its lock would make
a scan wait for pulls).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, DateTimeField, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from andon.catalog.models import Product
from andon.contacts.models import Contact
from andon.core.services import Event, outbox_emit
from andon.orders.models import FulfilmentStatus, OrderLine

from . import complaint_rate, rules
from .models import AlertState, Assignment, ProblemAlert, ProblemState

DELIVERED = (FulfilmentStatus.DELIVERED, FulfilmentStatus.RETURNED)


@dataclass(frozen=True)
class Scan:
    tested: int
    raised: int
    refreshed: int
    cleared: int


def complainers_by_product(since: dt.datetime, until: dt.datetime) -> dict[int, int]:
    return dict(
        Contact.objects.filter(created_at__gte=since, created_at__lte=until)
        .values("product_id")
        .annotate(n=Count("customer_id", distinct=True))
        .values_list("product_id", "n")
    )


def units_by_product(since: dt.datetime, until: dt.datetime) -> dict[int, int]:
    """Units delivered in the window (a line delivered, or since returned, counts when its
    status last changed then; lines with no recorded change count at their order's time)."""
    return dict(
        OrderLine.objects.filter(fulfilment_status__in=DELIVERED)
        .annotate(
            at=Coalesce("status_changed_at", "order__placed_at", output_field=DateTimeField())
        )
        .filter(at__gte=since, at__lte=until)
        .values("product_id")
        .annotate(n=Sum("quantity"))
        .values_list("product_id", "n")
    )


def largest_problems(product_ids: list[int], since: dt.datetime) -> dict[int, int]:
    rows = (
        Assignment.objects.filter(
            product_id__in=product_ids, reported_at__gte=since, problem__state=ProblemState.OPEN
        )
        .values("product_id", "problem_id")
        .annotate(n=Count("customer_id", distinct=True))
        .order_by("product_id", "-n", "problem_id")
    )
    out: dict[int, int] = {}
    for r in rows:
        out.setdefault(r["product_id"], r["problem_id"])
    return out


def units_sold_by_gmv(window_days: int) -> dict[int, int]:
    """Units the storefront's monthly GMV implies over the window (GMV / price): Andon often
    holds only part of a product's orders (those synced, those complained about), and a rate
    over a partial denominator would flag every product whose orders are not all here."""
    out = {}
    for pid, price, gmv in Product.objects.filter(price__gt=0, monthly_gmv__gt=0).values_list(
        "id", "price", "monthly_gmv"
    ):
        out[pid] = int(gmv / price * window_days / 30)
    return out


def rate_tests(
    *, now: dt.datetime, window_days: int = rules.WINDOW_DAYS
) -> dict[int, complaint_rate.RateTest]:
    since = now - dt.timedelta(days=window_days)
    complainers = complainers_by_product(since, now)
    delivered = units_by_product(since, now)
    by_gmv = units_sold_by_gmv(window_days)
    units = {p: max(delivered.get(p, 0), by_gmv.get(p, 0)) for p in {*delivered, *by_gmv}}
    total_c, total_u = sum(complainers.values()), sum(units.values())
    tested = [p for p, u in units.items() if u > 0]
    return {
        p: complaint_rate.complaint_rate_test(
            complainers=complainers.get(p, 0),
            units=units[p],
            others_complainers=total_c - complainers.get(p, 0),
            others_units=total_u - units[p],
            tested=len(tested),
        )
        for p in tested
    }


@transaction.atomic
def problem_alerts_scan(
    *, now: dt.datetime | None = None, window_days: int = rules.WINDOW_DAYS
) -> Scan:
    now = now or timezone.now()
    tests = rate_tests(now=now, window_days=window_days)
    alerting = {p: t for p, t in tests.items() if t.alert}
    open_alerts = {
        a.product_id: a
        for a in ProblemAlert.objects.select_for_update().filter(state=AlertState.OPEN)
    }
    products = Product.objects.in_bulk(list(alerting))
    problems = largest_problems(list(alerting), now - dt.timedelta(days=window_days))
    raised, refreshed, events = 0, 0, []
    for product_id, t in alerting.items():
        product = products[product_id]
        values = {
            "problem_id": problems.get(product_id),
            "checked_at": now,
            "window_days": window_days,
            "complainers": t.complainers,
            "units": t.units,
            "rate": t.rate,
            "baseline": t.baseline,
            "p_value": t.p_value,
            "gmv_at_stake": product.monthly_gmv,
        }
        alert = open_alerts.pop(product_id, None)
        if alert is not None:
            ProblemAlert.objects.filter(pk=alert.pk).update(**values)
            refreshed += 1
            continue
        alert = ProblemAlert.objects.create(product=product, raised_at=now, **values)
        raised += 1
        events.append(Event("problem.alerted", _payload(alert, product)))
    cleared = ProblemAlert.objects.filter(pk__in=[a.pk for a in open_alerts.values()]).update(
        state=AlertState.CLEARED, cleared_at=now, checked_at=now
    )
    if events:
        outbox_emit(at=now, events=events)
    return Scan(len(tests), raised, refreshed, cleared)


def _payload(alert: ProblemAlert, product: Product) -> dict:
    problem = alert.problem
    return {
        "alert_id": alert.pk,
        "sku": product.sku,
        "title": product.title,
        "complainers": alert.complainers,
        "units": alert.units,
        "rate": round(alert.rate, 6),
        "baseline": round(alert.baseline, 6),
        "p_value": alert.p_value,
        "window_days": alert.window_days,
        "gmv_at_stake": str(alert.gmv_at_stake),
        "problem_id": alert.problem_id,
        "problem_label": problem.label if problem else None,
    }
