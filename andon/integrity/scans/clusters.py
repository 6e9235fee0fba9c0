"""Account clusters and sabotage, set-based: which shared phones, addresses and devices of
new accounts reported one product, merged into clusters and cut to their densest run of
reports; the andons they are evidence of; the products they target."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable

from django.db.models import Count, F, Q

from andon.contacts.models import Contact
from andon.orders.models import Customer
from andon.pulls.models import AndonEvidence

from .. import rules
from ..rules import Finding

SHARED_FIELDS = {"phone": "phone", "address": "address_key", "device": "device_id"}


def _cluster_groups(products: Collection[int] | None) -> list[tuple[int, str, str]]:
    """(product id, attribute, shared value) where at least two new accounts sharing that
    value reported the product (only `products`, when given)."""
    new_before = F("created_at") - dt.timedelta(hours=rules.CLUSTER_NEW_ACCOUNT)
    out: list[tuple[int, str, str]] = []
    people = Customer.objects.all()
    if products is not None:
        # Only the products' reporters can form a group on them: the shared values are
        # looked for among those few customers, not among every customer.
        people = people.filter(
            pk__in=Contact.objects.filter(product_id__in=products).values("customer_id")
        )
    for label, fld in SHARED_FIELDS.items():
        shared = (
            people.exclude(**{fld: ""})
            .values(fld)
            .annotate(n=Count("id"))
            .filter(n__gte=rules.CLUSTER_MIN_ACCOUNTS)
            .values(fld)
        )
        # The explicit "not empty" lets PostgreSQL use the partial index on the attribute.
        reports = Contact.objects.filter(**{f"customer__{fld}__in": shared}).exclude(
            **{f"customer__{fld}": ""}
        )
        if products is not None:
            reports = reports.filter(product_id__in=products)
        groups = (
            reports.values("product_id", f"customer__{fld}")
            .annotate(
                accounts=Count("customer", distinct=True),
                new=Count(
                    "customer",
                    distinct=True,
                    filter=Q(customer__registered_at__gt=new_before),
                ),
            )
            .filter(accounts__gte=rules.CLUSTER_MIN_ACCOUNTS, new__gte=rules.CLUSTER_MIN_ACCOUNTS)
            .values_list("product_id", f"customer__{fld}")
        )
        out.extend((pid, label, key) for pid, key in groups)
    return out


def _cluster_reports(products: Collection[int] | None) -> list[rules.ClusterReport]:
    groups = _cluster_groups(products)
    if not groups:
        return []
    window = dt.timedelta(hours=rules.CLUSTER_WINDOW_HOURS)
    # Per product: the contacts of each group, then clusters = groups joined by a customer.
    by_product: dict[int, list[tuple[str, list[tuple]]]] = defaultdict(list)
    for pid, label, key in groups:
        rows = list(
            Contact.objects.filter(product_id=pid, **{f"customer__{SHARED_FIELDS[label]}": key})
            .exclude(**{f"customer__{SHARED_FIELDS[label]}": ""})
            .order_by("created_at")
            .values_list(
                "id",
                "customer__external_id",
                "created_at",
                "customer__registered_at",
                "product__sku",
            )
        )
        by_product[pid].append((label, rows))
    reports: list[rules.ClusterReport] = []
    for pid, parts in by_product.items():
        for members in _merge(parts):
            reports.extend(_windowed(pid, members, window))
    return reports


def _merge(parts: list[tuple[str, list[tuple]]]) -> list[tuple[set[str], list[tuple]]]:
    """Join groups of one product that share a customer: one cluster, all attributes."""
    clusters: list[tuple[set[str], set[str], dict[int, tuple]]] = []
    for label, rows in parts:
        custs = {r[1] for r in rows}
        hit = [c for c in clusters if c[1] & custs]
        labels, members, contacts = {label}, set(custs), {r[0]: r for r in rows}
        for c in hit:
            labels |= c[0]
            members |= c[1]
            contacts |= c[2]
            clusters.remove(c)
        clusters.append((labels, members, contacts))
    return [
        (labels, sorted(contacts.values(), key=lambda r: r[2])) for labels, _m, contacts in clusters
    ]


def _windowed(
    pid: int, members: tuple[set[str], list[tuple]], window: dt.timedelta
) -> Iterable[rules.ClusterReport]:
    """The densest run of reports within the window (a cluster that reports one product over
    months is not "within hours")."""
    labels, rows = members
    best: list[tuple] = []
    start = 0
    for end in range(len(rows)):
        while rows[end][2] - rows[start][2] > window:
            start += 1
        run = rows[start : end + 1]
        if len({r[1] for r in run}) > len({r[1] for r in best}):
            best = run
    if not best:
        return []
    customers = tuple(sorted({r[1] for r in best}))
    new = {
        r[1]
        for r in best
        if r[3] is not None and r[2] - r[3] < dt.timedelta(hours=rules.CLUSTER_NEW_ACCOUNT)
    }
    first, last = best[0][2], best[-1][2]
    reporters = (
        Contact.objects.filter(product_id=pid, created_at__range=(first, last))
        .values("customer")
        .distinct()
        .count()
    )
    return [
        rules.ClusterReport(
            product=best[0][4],
            customers=customers,
            shared=tuple(sorted(labels, key=list(SHARED_FIELDS).index)),
            new_accounts=len(new),
            reporters=reporters,
            hours=(last - first).total_seconds() / 3600,
            contacts=tuple(r[0] for r in best),
        )
    ]


def account_clusters(products: Collection[int] | None = None) -> list[Finding]:
    """Clusters, the andons they are evidence of, and the products they target: of every
    product, or of `products` only (an incremental scan: the products a write touched)."""
    if products is not None and not products:
        return []
    found: list[Finding] = []
    contact_ids: set[int] = set()
    by_product: dict[str, list[Finding]] = defaultdict(list)
    for report in _cluster_reports(products):
        f = rules.account_cluster(report)
        if f:
            found.append(f)
            by_product[report.product].append(f)
            contact_ids.update(report.contacts)
    for sku, clusters in sorted(by_product.items()):
        p = rules.product_targeted(sku, clusters)
        if p:
            found.append(p)
    andon_ids = set(
        AndonEvidence.objects.filter(contact_id__in=contact_ids).values_list("andon_id", flat=True)
    )
    for andon_id in sorted(andon_ids):
        e = andon_evidence(andon_id)
        if e is not None:
            g = rules.andon_evidence(e)
            if g:
                found.append(g)
    return found


_EVIDENCE_COLUMNS = (
    "contact__created_at",
    "contact__customer_id",
    "contact__customer__registered_at",
    "contact__customer__phone",
    "contact__customer__address_key",
    "contact__customer__device_id",
    "andon__product__sku",
)


def andon_evidence(andon_id: int) -> rules.AndonEvidence | None:
    """What the pull review shows about an andon's reporters: new accounts, shared phones,
    addresses and devices among them. A few rows: one andon's evidence."""
    return andons_evidence([andon_id]).get(andon_id)


def andons_evidence(andon_ids: list[int]) -> dict[int, rules.AndonEvidence]:
    """`andon_evidence` for a page of andons in one query (the review queue)."""
    by_andon: dict[int, list[tuple]] = defaultdict(list)
    for andon_id, *row in AndonEvidence.objects.filter(andon_id__in=andon_ids).values_list(
        "andon_id", *_EVIDENCE_COLUMNS
    ):
        by_andon[andon_id].append(tuple(row))
    return {a: _evidence_of(a, rows) for a, rows in by_andon.items()}


def _evidence_of(andon_id: int, rows: list[tuple]) -> rules.AndonEvidence:
    first: dict[int, tuple] = {}
    for r in rows:
        if r[1] not in first or r[0] < first[r[1]][0]:
            first[r[1]] = r
    new_age = dt.timedelta(hours=rules.CLUSTER_NEW_ACCOUNT)
    new = {c for c, r in first.items() if r[2] is not None and r[0] - r[2] < new_age}
    sharing: set[int] = set()
    shared: set[str] = set()
    for i, label in enumerate(SHARED_FIELDS, start=3):
        by_value: dict[object, set[int]] = defaultdict(set)
        for c, r in first.items():
            if r[i]:
                by_value[r[i]].add(c)
        for custs in by_value.values():
            if len(custs) >= 2:
                sharing |= custs
                shared.add(label)
    return rules.AndonEvidence(
        andon_id=andon_id,
        product=rows[0][6],
        reporters=len(first),
        new_reporters=len(new & sharing),
        sharing=len(sharing),
        shared=tuple(sorted(shared, key=list(SHARED_FIELDS).index)),
    )
