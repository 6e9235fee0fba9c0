from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from andon.catalog.models import Product
from andon.contacts.models import Contact, ReasonCode
from andon.core.errors import NotFound
from andon.core.sql import datetime_read
from andon.detection.models import Assignment, Problem
from andon.detection.selectors import (
    Member,
    members_from_json,
    members_json_sql,
    problem_contact_ids,
    problem_distinct_customers,
    window_start,
)
from andon.holds.selectors import HoldCounts, hold_counts
from andon.workorders.models import WorkOrder
from andon.workorders.selectors import work_orders_of

from .models import Andon, AndonEvidence, AndonState
from .rules import Eligibility, Policy, eligibility, evidence_since


class AndonNotFound(NotFound):
    code = "andon-not-found"


def eligibility_for(
    *, product: Product, reason: ReasonCode, now: dt.datetime, problem: Problem | None = None
) -> Eligibility:
    """One statement: the last closed andon for this product and reason (or problem), and the
    distinct customers who reported the reason since the window (or that andon's close)
    began; with a problem, its distinct customers since then too, however coded. Every
    contact's answer and the agent's page run it: hand-written, as building its three reads
    with the ORM cost more CPU than the database spends on them."""
    return _eligibility(product, reason, now, problem, with_members=False)[0]


def eligibility_and_members(
    *, product: Product, reason: ReasonCode, now: dt.datetime, problem: Problem
) -> tuple[Eligibility, list[Member]]:
    """`eligibility_for` with a problem, and in the same statement the problem's members in
    detection's window (what `detection.selectors.suggestion_for` reads): a contact's answer
    in one statement instead of two."""
    decision, members = _eligibility(product, reason, now, problem, with_members=True)
    assert members is not None
    return decision, members


def _eligibility(
    product: Product,
    reason: ReasonCode,
    now: dt.datetime,
    problem: Problem | None,
    *,
    with_members: bool,
) -> tuple[Eligibility, list[Member] | None]:
    policy = Policy(threshold=reason.threshold, window_days=reason.window_days)
    start = connection.ops.adapt_datetimefield_value(evidence_since(now, policy, None))
    # In the order of the text: the counts, the members, then the derived table `w`.
    params: list[Any] = [product.pk, reason.pk]
    if problem is not None:
        params.append(problem.pk)
        if with_members:
            params += [problem.pk, connection.ops.adapt_datetimefield_value(window_start(now))]
    params += [start, start, product.pk, AndonState.CLOSED.value, reason.pk]
    if problem is not None:
        params.append(problem.pk)
    sql = _eligibility_sql(connection.vendor, problem is not None, with_members)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        last_closed, customers, *more = cur.fetchone()
    since = evidence_since(now, policy, datetime_read(last_closed))
    decision = eligibility(customers, policy, since, more[0] if more else None)
    return decision, members_from_json(more[1]) if with_members else None


@lru_cache(maxsize=8)
def _eligibility_sql(vendor: str, with_problem: bool, with_members: bool) -> str:
    """Written once per process. The evidence's start is `rules.evidence_since` in SQL (the
    later of the window's start and the last close), computed once in the derived table `w`
    and compared in each count, which keeps both on their (product, reason, created_at) and
    (problem, reported_at) indexes. On SQLite the date-times compare as their stored text, as
    Django's own lookups do there."""
    q = connection.ops.quote_name
    andons, contacts, members = (q(m._meta.db_table) for m in (Andon, Contact, Assignment))
    ours = "(a.reason_id = %s OR a.problem_id = %s)" if with_problem else "a.reason_id = %s"
    columns = [
        f"(SELECT COUNT(DISTINCT c.customer_id) FROM {contacts} c WHERE c.product_id = %s "
        "AND c.reason_id = %s AND c.created_at >= w.since)"
    ]
    if with_problem:
        columns.append(
            f"(SELECT COUNT(DISTINCT m.customer_id) FROM {members} m WHERE m.problem_id = %s "
            "AND m.reported_at >= w.since)"
        )
        if with_members:
            columns.append(members_json_sql(vendor))
    return (
        f"SELECT w.last_closed, {', '.join(columns)} FROM ("
        "SELECT MAX(a.closed_at) AS last_closed, CASE WHEN MAX(a.closed_at) > %s "
        "THEN MAX(a.closed_at) ELSE %s END AS since "
        f"FROM {andons} a WHERE a.product_id = %s AND a.state = %s AND {ours}) w"
    )


@dataclass(frozen=True)
class PullFacts:
    """What a pull decides on, read under the listing lock."""

    decision: Eligibility
    # The open andon it joins: the problem's when one was named and has one, else the
    # reason's; None when the pull opens one.
    open_andon_id: int | None
    evidence: list[int]  # contact ids, sorted: the reason's since `since`, and the problem's
    # The earliest of the reason's evidence: the andon's first report (pulls.first_report).
    first_report_at: dt.datetime | None


def pull_facts(
    *, product: Product, reason: ReasonCode, now: dt.datetime, problem: Problem | None = None
) -> PullFacts:
    """Eligibility, the open andon to join and the evidence, in two reads (two more with a
    problem): the product's andons aggregated (the last closed for the reason or problem, the
    open ones), then the reason's contacts since the window began, whose distinct customers
    are the eligibility count, whose ids the evidence and whose earliest the first report.
    The same eligibility as `eligibility_for`, with the rest read alongside; hand-written
    SQL, as every pull runs them."""
    policy = Policy(threshold=reason.threshold, window_days=reason.window_days)
    ours, mine = "a.reason_id = %s", [reason.pk]
    if problem is not None:
        ours, mine = "(a.reason_id = %s OR a.problem_id = %s)", [reason.pk, problem.pk]
    open_ = AndonState.OPEN.value
    columns = [
        f"MAX(a.closed_at) FILTER (WHERE a.state = %s AND {ours})",
        "MAX(a.id) FILTER (WHERE a.state = %s AND a.reason_id = %s)",
    ]
    params: list[Any] = [AndonState.CLOSED.value, *mine, open_, reason.pk]
    if problem is not None:
        columns.append("MAX(a.id) FILTER (WHERE a.state = %s AND a.problem_id = %s)")
        params += [open_, problem.pk]
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {', '.join(columns)} FROM {Andon._meta.db_table} a WHERE a.product_id = %s",
            [*params, product.pk],
        )
        last_closed, by_reason, *by_problem = cur.fetchone()
        since = evidence_since(now, policy, datetime_read(last_closed))
        cur.execute(
            f"SELECT c.id, c.customer_id, c.created_at FROM {Contact._meta.db_table} c"
            " WHERE c.product_id = %s AND c.reason_id = %s AND c.created_at >= %s",
            [product.pk, reason.pk, connection.ops.adapt_datetimefield_value(since)],
        )
        contacts = cur.fetchall()
    ids = {c for c, _, _ in contacts}
    problem_customers = None
    if problem is not None:
        problem_customers = problem_distinct_customers(problem_id=problem.pk, since=since)
        ids.update(problem_contact_ids(problem_id=problem.pk, since=since))
    # SQLite's stored date-times sort as their text, as its own comparisons do: only the
    # earliest is parsed.
    first = min((at for _, _, at in contacts), default=None)
    customers = len({who for _, who, _ in contacts})
    return PullFacts(
        decision=eligibility(customers, policy, since, problem_customers),
        open_andon_id=(by_problem[0] if by_problem else None) or by_reason,
        evidence=sorted(ids),
        first_report_at=datetime_read(first),
    )


@dataclass(frozen=True)
class AndonView:
    andon: Andon
    work_orders: list[WorkOrder]
    holds: HoldCounts
    evidence: int  # contacts linked as evidence


def evidence_counts(*, andon_ids: list[int]) -> dict[int, int]:
    """Evidence contacts per andon, in one grouped query (never one count per andon)."""
    rows = (
        AndonEvidence.objects.filter(andon_id__in=andon_ids)
        .values("andon_id")
        .annotate(n=Count("contact_id"))
        .values_list("andon_id", "n")
    )
    counts = dict(rows)
    return {a: counts.get(a, 0) for a in andon_ids}


def andon_view(*, andon_id: int) -> AndonView:
    try:
        andon = Andon.objects.select_related("product", "reason", "opened_by").get(pk=andon_id)
    except Andon.DoesNotExist:
        raise AndonNotFound(_("No andon with id %(id)s.") % {"id": andon_id}, field="id") from None
    return _views([andon])[0]


def andons_list(
    *, sku: str | None = None, state: str | None = None, limit: int = 100
) -> list[AndonView]:
    qs = Andon.objects.select_related("product", "reason", "opened_by")
    if sku:
        qs = qs.filter(product__sku=sku)
    if state:
        qs = qs.filter(state=state)
    return _views(list(qs.order_by("-opened_at")[:limit]))


@dataclass(frozen=True)
class AndonPage:
    """One page of the andons list, with what the page's navigation needs."""

    views: list[AndonView]
    number: int
    num_pages: int
    count: int
    start_index: int
    end_index: int
    page_range: list[int | str]


def andons_page(
    *,
    state: str = "",
    reason: str = "",
    sku: str = "",
    q: str = "",
    page: int | str = 1,
    per_page: int = 25,
) -> AndonPage:
    """The andons list: newest first, filtered by state, reason and product, searched by
    ANDON id, note, product title or SKU. Five queries a page, whatever its length: the count,
    the page, its work orders, its holds, its evidence."""
    qs = Andon.objects.select_related("product", "reason", "opened_by")
    if state:
        qs = qs.filter(state=state)
    if reason:
        qs = qs.filter(reason__code=reason)
    if sku:
        qs = qs.filter(product__sku=sku)
    q = (q or "").strip()
    if q:
        match = Q(note__icontains=q) | Q(product__title__icontains=q) | Q(product__sku__iexact=q)
        number = q.upper().removeprefix("ANDON-").strip()
        if number.isdigit() and len(number) < 19:
            match |= Q(pk=int(number))
        qs = qs.filter(match)
    p = Paginator(qs.order_by("-opened_at", "-id"), per_page).get_page(page)
    return AndonPage(
        views=_views(list(p.object_list)),
        number=p.number,
        num_pages=p.paginator.num_pages,
        count=p.paginator.count,
        start_index=p.start_index(),
        end_index=p.end_index(),
        page_range=list(p.paginator.get_elided_page_range(p.number, on_each_side=2, on_ends=1)),
    )


def andon_products() -> list[tuple[str, str]]:
    """(SKU, title) of every product that has had an andon, by title: the list's filter."""
    return list(
        Product.objects.filter(andons__isnull=False)
        .distinct()
        .order_by("title", "sku")
        .values_list("sku", "title")
    )


def open_andons_of(*, product: Product) -> list[AndonView]:
    return andons_list(sku=product.sku, state=AndonState.OPEN)


def _views(andons: list[Andon]) -> list[AndonView]:
    ids = [a.pk for a in andons]
    wos = work_orders_of(andon_ids=ids)
    counts = hold_counts(andon_ids=ids)
    evidence = evidence_counts(andon_ids=ids)
    return [AndonView(a, wos[a.pk], counts[a.pk], evidence[a.pk]) for a in andons]


def andons_of_team_lead(*, user_id: int, limit: int = 50) -> list[AndonView]:
    """The pulls a team lead answers for (their team's, at the moment of each pull)."""
    qs = Andon.objects.select_related("product", "reason", "opened_by").filter(team_lead_id=user_id)
    return _views(list(qs.order_by("-opened_at")[:limit]))


def evidence_contact_ids_of(*, andon_id: int) -> list[int]:
    return list(
        AndonEvidence.objects.filter(andon_id=andon_id).values_list("contact_id", flat=True)
    )


def andons_existing(*, andon_ids: list[int]) -> set[int]:
    """Which of these ids are andons (a caller's list may name ones that never existed)."""
    return set(Andon.objects.filter(pk__in=andon_ids).values_list("pk", flat=True))
