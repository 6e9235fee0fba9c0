"""Customer fraud, set-based. One SQL statement (common table expressions over orders,
contacts and recovery, grouped per customer) fills CustomerTally: for every customer on a
full scan, for the customers a write touched on an incremental one. The population's
histograms of (delivered orders, claimed orders) and of recovery value per order, and the
few candidates, are then read from the tally, so Python never sees a row per customer and
an incremental scan never re-reads every contact."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction

from andon.contacts.models import Contact
from andon.orders.models import Customer, FulfilmentStatus, Order, OrderLine
from andon.recovery.models import RecoveryGiven

from .. import rules
from ..models import CustomerTally
from ..rules import Finding

CHUNK = 2000  # customers per refresh statement (SQLite's limit on parameters)


def _stats_cte(customers: list[int] | None) -> tuple[str, list[Any]]:
    """Per customer who received something: orders (shipped, delivered or returned, and any
    order contacted about, since a claim is about something received: claims never exceed
    orders, whatever the storefront's statuses say), claims (orders contacted about),
    products claimed about, recovery value. `customers`: only these (None: everyone)."""
    order, line = Order._meta.db_table, OrderLine._meta.db_table
    contact, recovery = Contact._meta.db_table, RecoveryGiven._meta.db_table
    only, ids = "", []
    if customers is not None:
        only, ids = f"IN ({', '.join(['%s'] * len(customers))})", list(customers)
    o_only = f"AND o.customer_id {only}" if only else ""
    k_only = f"AND k.customer_id {only}" if only else ""
    r_only = f"WHERE customer_id {only}" if only else ""
    sql = f"""
    WITH received AS (
        SELECT o.customer_id AS cid, o.id AS oid
        FROM {order} o JOIN {line} l ON l.order_id = o.id
        WHERE l.fulfilment_status IN (%s, %s, %s) {o_only}
        UNION
        SELECT k.customer_id AS cid, l.order_id AS oid
        FROM {contact} k JOIN {line} l ON l.id = k.order_line_id
        WHERE 1 = 1 {k_only}
    ), d AS (
        SELECT cid, COUNT(DISTINCT oid) AS n FROM received GROUP BY cid
    ), c AS (
        SELECT k.customer_id AS cid, COUNT(DISTINCT l.order_id) AS claims,
               COUNT(DISTINCT k.product_id) AS products
        FROM {contact} k JOIN {line} l ON l.id = k.order_line_id
        WHERE 1 = 1 {k_only}
        GROUP BY k.customer_id
    ), v AS (
        SELECT customer_id AS cid, SUM(cost) AS value FROM {recovery} {r_only}
        GROUP BY customer_id
    ), s AS (
        SELECT d.cid AS cid, d.n AS orders, COALESCE(c.claims, 0) AS claims,
               COALESCE(c.products, 0) AS products, COALESCE(v.value, 0) AS value
        FROM d LEFT JOIN c ON c.cid = d.cid LEFT JOIN v ON v.cid = d.cid
    )"""
    statuses = [
        FulfilmentStatus.SHIPPED.value,
        FulfilmentStatus.DELIVERED.value,
        FulfilmentStatus.RETURNED.value,
    ]
    return sql, [*statuses, *ids, *ids, *ids, *ids]


def _rows(sql: str, params: list[Any]) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def _execute(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params)


@transaction.atomic
def tally_refresh(customers: Iterable[int] | None = None) -> None:
    """Recompute the tally rows of `customers` (None: every customer), as one INSERT ...
    SELECT per chunk after deleting their old rows."""
    table = CustomerTally._meta.db_table
    insert = f"INSERT INTO {table} (customer_id, orders, claims, products, value)"
    select = " SELECT cid, orders, claims, products, value FROM s"
    if customers is None:
        CustomerTally.objects.all().delete()
        cte, params = _stats_cte(None)
        _execute(cte + insert + select, params)
        if connection.vendor == "postgresql":
            # Fresh statistics for the planner after a rebuild (a sample: milliseconds).
            _execute(f"ANALYZE {table}", [])
        return
    ids = sorted(set(customers))
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        CustomerTally.objects.filter(customer_id__in=part).delete()
        cte, params = _stats_cte(part)
        _execute(cte + insert + select, params)


def customer_fraud() -> list[Finding]:
    """The fraud signal over every customer in the tally."""
    table = CustomerTally._meta.db_table
    hist = [
        (int(orders), int(claims), int(n))
        for orders, claims, n in _rows(
            f"SELECT orders, claims, COUNT(*) FROM {table} GROUP BY orders, claims", []
        )
    ]
    n = sum(c for _o, _c, c in hist)
    if n == 0:
        return []
    total_orders = sum(o * c for o, _cl, c in hist)
    prior = sum(cl * c for _o, cl, c in hist) / max(total_orders, 1)
    k = rules.FRAUD_PRIOR_ORDERS
    median_orders = rules.weighted_median([(float(o), c) for o, _cl, c in hist])
    # The spread that chance alone gives a customer with the median number of orders: a
    # population where nearly nobody claims must not make one extra claim an outlier.
    floor = math.sqrt(max(prior * (1 - prior), 1e-6) / (median_orders + k))
    rate = rules.population_of([(rules.shrunk_rate(cl, o, prior), c) for o, cl, c in hist], floor)
    cut = rate.median + rules.Z_OUTLIER * max(rules.MAD_TO_SIGMA * rate.mad, rate.floor)
    # The chance model's rate without the outliers it is about to judge (a handful of
    # fraudsters must not raise the bar they are measured against).
    inliers = [(o, cl, c) for o, cl, c in hist if rules.shrunk_rate(cl, o, prior) < cut]
    inlier_orders = sum(o * c for o, _cl, c in inliers)
    chance_rate = sum(cl * c for _o, cl, c in inliers) / inlier_orders if inlier_orders else prior
    values = _rows(
        f"SELECT ROUND(value * 10 / orders) / 10.0 AS per, COUNT(*) FROM {table} GROUP BY per",
        [],
    )
    value = rules.population_of([(float(v or 0), int(c)) for v, c in values], 1.0)
    customer = Customer._meta.db_table
    candidates = _rows(
        f"""SELECT cu.external_id, s.orders, s.claims, s.products, s.value
        FROM {table} s JOIN {customer} cu ON cu.id = s.customer_id
        WHERE s.claims >= %s AND s.products >= %s
          AND (s.claims + %s) * 1.0 / (s.orders + %s) >= %s""",
        [rules.FRAUD_MIN_CLAIMS, rules.FRAUD_MIN_PRODUCTS, k * prior, k, cut],
    )
    stats = [
        rules.CustomerStats(
            ext, int(o), int(cl), int(p), float(v or 0), rules.shrunk_rate(int(cl), int(o), prior)
        )
        for ext, o, cl, p, v in candidates
    ]
    stats = [s for s in stats if rules.fraud_candidate(s, rate)]
    fdr = rules.fdr_cut([rules.fraud_chance(s, chance_rate) for s in stats], tested=n)
    found = []
    for s in stats:
        f = rules.customer_fraud(s, rate, value, chance_rate, fdr)
        if f:
            found.append(f)
    return found
