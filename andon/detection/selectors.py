"""Detection's reads: a product's problems with their numbers, the problem of a contact and
the suggestion the agent reads after recording it, a problem's evidence for the cord."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from andon.contacts.models import Contact, ReasonCode
from andon.core.i18n import in_reader_language
from andon.core.sql import datetime_read

from . import rules
from .errors import ProblemNotFound
from .models import AlertState, Assignment, Problem, ProblemAlert, ProblemState


@dataclass
class ProblemView:
    problem: Problem
    reasons: dict[str, int] = field(default_factory=dict)  # reason code -> contacts
    distinct_customers: int = 0
    contacts_count: int = 0
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None
    contacts: list[Contact] = field(default_factory=list)

    @property
    def main_reason(self) -> str | None:
        """The reason code most of its contacts were coded with; among equals, the first
        customer's (the cord is offered with it)."""
        return main_reason(self.reasons, [c.reason.code for c in self.contacts])


def main_reason(counts: dict[str, int], in_order: list[str]) -> str | None:
    if not counts:
        return None
    first = {code: i for i, code in reversed(list(enumerate(in_order)))}
    return min(counts, key=lambda c: (-counts[c], first.get(c, len(in_order)), c))


def problem_get(*, problem_id: int, field: str = "problem") -> Problem:
    try:
        return Problem.objects.select_related("product").get(pk=problem_id)
    except Problem.DoesNotExist:
        raise ProblemNotFound(
            _("No problem with id %(id)s.") % {"id": problem_id}, field=field
        ) from None


def problems_of_product(
    *,
    product_id: int,
    since: dt.datetime | None = None,
    with_contacts: bool = True,
    limit: int = 50,
) -> list[ProblemView]:
    """The product's open problems, most customers first (then the most recent): three
    queries whatever their number (stats, problems, contacts)."""
    qs = Assignment.objects.filter(product_id=product_id, problem__state=ProblemState.OPEN)
    if since is not None:
        qs = qs.filter(reported_at__gte=since)
    stats = list(
        qs.values("problem_id").annotate(
            customers=Count("customer_id", distinct=True),
            n=Count("contact_id"),
            first=Min("reported_at"),
            last=Max("reported_at"),
        )
    )
    stats.sort(key=lambda s: (-s["customers"], -s["last"].timestamp(), s["problem_id"]))
    stats = stats[:limit]
    ids = [s["problem_id"] for s in stats]
    problems = Problem.objects.in_bulk(ids)
    views = {
        s["problem_id"]: ProblemView(
            problems[s["problem_id"]],
            distinct_customers=s["customers"],
            contacts_count=s["n"],
            first_at=s["first"],
            last_at=s["last"],
        )
        for s in stats
    }
    codes = dict(ReasonCode.objects.values_list("id", "code"))
    reason_counts = (
        qs.filter(problem_id__in=ids).values("problem_id", "reason_id").annotate(n=Count("pk"))
    )
    for r in reason_counts.order_by("problem_id", "reason_id"):
        views[r["problem_id"]].reasons[codes[r["reason_id"]]] = r["n"]
    if with_contacts and ids:
        contacts = (
            Contact.objects.filter(assignment__problem_id__in=ids)
            .select_related("customer", "reason", "assignment")
            .order_by("created_at", "id")
        )
        if since is not None:
            contacts = contacts.filter(created_at__gte=since)
        for c in contacts:
            views[c.assignment.problem_id].contacts.append(c)
    return [views[i] for i in ids]


def problem_view(*, problem_id: int) -> ProblemView:
    problem = problem_get(problem_id=problem_id)
    views = [
        v
        for v in problems_of_product(product_id=problem.product_id, limit=10_000)
        if v.problem.pk == problem.pk
    ]
    return views[0] if views else ProblemView(problem)


def problem_of_contact(*, contact_id: int) -> Assignment | None:
    return (
        Assignment.objects.select_related("problem", "matched_contact")
        .filter(contact_id=contact_id)
        .first()
    )


def problem_contact_ids(*, problem_id: int, since: dt.datetime) -> list[int]:
    """The problem's contacts since a moment: the evidence of a pull for it."""
    return list(
        Assignment.objects.filter(problem_id=problem_id, reported_at__gte=since)
        .order_by("reported_at", "contact_id")
        .values_list("contact_id", flat=True)
    )


def problem_distinct_customers(*, problem_id: int, since: dt.datetime) -> int:
    return (
        Assignment.objects.filter(problem_id=problem_id, reported_at__gte=since)
        .values("customer_id")
        .distinct()
        .count()
    )


def problem_resolved(*, problem_id: int) -> Problem:
    """Follow merges to the problem a contact's problem went into."""
    problem = problem_get(problem_id=problem_id)
    seen = {problem.pk}
    while problem.state == ProblemState.MERGED and problem.merged_into_id is not None:
        if problem.merged_into_id in seen:
            break
        problem = problem_get(problem_id=problem.merged_into_id)
        seen.add(problem.pk)
    return problem


@dataclass(frozen=True)
class Suggestion:
    """What the agent reads after recording a contact: the problem it sounds like, who else
    reported it and how they were coded, and whether the cord may be pulled for it."""

    problem: Problem
    others: int  # distinct other customers in the window
    reason_codes: list[str]  # codes of the problem's contacts, most frequent first
    reason_labels: list[str]
    pull_reason: str  # the reason code the cord is offered with
    eligible: bool
    missing: int
    threshold: int

    def sentence(self) -> str:
        return suggestion_sentence(self)


def suggestion_for(
    *,
    contact: Contact,
    now: dt.datetime | None = None,
    assignment: Assignment | None = None,
    members: list[Member] | None = None,
) -> Suggestion | None:
    """None when the contact has no problem or is its only customer. The cord is offered with
    the problem's main reason code and that reason's threshold and window. `assignment`: the
    contact's, with its problem, when the caller has just made it (the intake): not read
    again; `members`: the problem's members since `window_start(now)`, when the caller read
    them in its own statement (`members_json_sql`)."""
    if assignment is None:
        assignment = problem_of_contact(contact_id=contact.pk)
    if assignment is None:
        return None
    now = now or timezone.now()
    rows = members if members is not None else _problem_members(assignment.problem_id, now)
    codes = [r[1] for r in rows]
    pull_reason = main_reason(Counter(codes), codes) or contact.reason.code
    # Most often the contact's own reason, which it carries: no read then.
    policy = (
        contact.reason
        if pull_reason == contact.reason.code
        else ReasonCode.objects.get(code=pull_reason)
    )
    since = now - dt.timedelta(days=policy.window_days)
    customers = {r[0] for r in rows if r[4] >= since}
    others = len(customers - {contact.customer_id})
    if others == 0:
        return None
    counts = Counter((r[1], r[2], r[3]) for r in rows)
    ordered = sorted(counts, key=lambda k: (-counts[k], codes.index(k[0])))
    n = len(customers)
    return Suggestion(
        problem=assignment.problem,
        others=others,
        reason_codes=[k[0] for k in ordered],
        reason_labels=[in_reader_language(k[1], k[2]) for k in ordered],
        pull_reason=pull_reason,
        eligible=n >= policy.threshold,
        missing=max(policy.threshold - n, 0),
        threshold=policy.threshold,
    )


# A member of a problem as the suggestion reads it: customer, reason code and its labels,
# reported at.
Member = tuple[int, str, str, str, dt.datetime]


def _problem_members(problem_id: int, now: dt.datetime) -> list[Member]:
    """The problem's contacts in the window, oldest first. Hand-written, its text built once
    per process (the ORM's statement cost more CPU to build than the database spends on it)."""
    with connection.cursor() as cur:
        cur.execute(
            _members_sql(connection.vendor),
            [problem_id, connection.ops.adapt_datetimefield_value(window_start(now))],
        )
        rows = cur.fetchall()
    if connection.vendor == "postgresql":  # the driver gives aware date-times
        return rows
    return [(*r[:4], datetime_read(r[4])) for r in rows]


@lru_cache(maxsize=2)
def _members_sql(vendor: str) -> str:
    q = connection.ops.quote_name
    a, r = q(Assignment._meta.db_table), q(ReasonCode._meta.db_table)
    return (
        f"SELECT a.customer_id, r.{q('code')}, r.label_zh, r.label_en, a.reported_at "
        f"FROM {a} a JOIN {r} r ON r.id = a.reason_id "
        "WHERE a.problem_id = %s AND a.reported_at >= %s ORDER BY a.reported_at, a.contact_id"
    )


@lru_cache(maxsize=2)
def members_json_sql(vendor: str) -> str:
    """The problem's members as one JSON array (text), a scalar subquery another statement
    can carry (the intake's answer reads them with its eligibility: no statement of their
    own). Its parameters: the problem, then `window_start(now)` as the database takes it.
    Read back with `members_from_json`."""
    q = connection.ops.quote_name
    a, r = q(Assignment._meta.db_table), q(ReasonCode._meta.db_table)
    pairs = f"a.contact_id, a.customer_id, r.{q('code')}, r.label_zh, r.label_en, a.reported_at"
    agg = (
        f"COALESCE(JSON_AGG(JSON_BUILD_ARRAY({pairs})), '[]'::json)::text"
        if vendor == "postgresql"
        else f"JSON_GROUP_ARRAY(JSON_ARRAY({pairs}))"
    )
    return (
        f"(SELECT {agg} FROM {a} a JOIN {r} r ON r.id = a.reason_id "
        "WHERE a.problem_id = %s AND a.reported_at >= %s)"
    )


def members_from_json(raw: str) -> list[Member]:
    """`members_json_sql`'s array as `_problem_members` reads it: oldest first (an aggregate
    keeps no order on SQLite), the date-times as the ORM gives them."""
    rows = json.loads(raw)
    postgres = connection.vendor == "postgresql"
    for row in rows:
        # PostgreSQL: ISO 8601 with its offset; SQLite: its stored text, naive UTC.
        row[5] = dt.datetime.fromisoformat(row[5]) if postgres else datetime_read(row[5])
    rows.sort(key=lambda row: (row[5], row[0]))
    return [(row[1], row[2], row[3], row[4], row[5]) for row in rows]


def suggestion_sentence(s: Suggestion) -> str:
    coded = _(", ").join(s.reason_labels) if s.reason_labels else ""
    reported = ngettext(
        "This sounds like “%(label)s”, which %(n)d other customer reported (coded %(coded)s)",
        "This sounds like “%(label)s”, which %(n)d other customers reported (coded %(coded)s)",
        s.others,
    ) % {"label": s.problem.label, "n": s.others, "coded": coded}
    if s.eligible:
        return _("%(reported)s: you may pull.") % {"reported": reported}
    return ngettext(
        "%(reported)s: %(missing)d more customer is needed to pull.",
        "%(reported)s: %(missing)d more customers are needed to pull.",
        s.missing,
    ) % {"reported": reported, "missing": s.missing}


def window_start(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=rules.WINDOW_DAYS)


@dataclass(frozen=True)
class AlertRow:
    alert: ProblemAlert
    trend: list[int]  # distinct complaining customers per week, oldest first


def alerts_open(*, weeks: int = 8, now: dt.datetime | None = None) -> list[AlertRow]:
    """Open complaint-rate alerts, the most GMV at stake first, each with its weekly trend."""
    now = now or timezone.now()
    alerts = list(
        ProblemAlert.objects.filter(state=AlertState.OPEN)
        .select_related("product", "problem")
        .order_by("-gmv_at_stake", "-raised_at", "id")
    )
    trends = weekly_complainers(product_ids=[a.product_id for a in alerts], weeks=weeks, now=now)
    return [AlertRow(a, trends.get(a.product_id, [0] * weeks)) for a in alerts]


def weekly_complainers(
    *, product_ids: list[int], weeks: int, now: dt.datetime
) -> dict[int, list[int]]:
    """Distinct complaining customers per product in each of the last `weeks` 7-day spans."""
    start = now - dt.timedelta(days=7 * weeks)
    out: dict[int, list[set[int]]] = {p: [set() for _ in range(weeks)] for p in product_ids}
    rows = Contact.objects.filter(product_id__in=product_ids, created_at__gte=start).values_list(
        "product_id", "customer_id", "created_at"
    )
    for pid, cid, at in rows:
        i = min(int((at - start).total_seconds() // (7 * 86400)), weeks - 1)
        out[pid][i].add(cid)
    return {p: [len(s) for s in spans] for p, spans in out.items()}


def problems_active(*, since: dt.datetime, limit: int = 50) -> list[ProblemView]:
    """Open problems of every product active since `since`, reported by two or more
    customers, the most customers first: the Problems page's list."""
    stats = list(
        Assignment.objects.filter(reported_at__gte=since, problem__state=ProblemState.OPEN)
        .values("problem_id")
        .annotate(
            customers=Count("customer_id", distinct=True),
            n=Count("contact_id"),
            first=Min("reported_at"),
            last=Max("reported_at"),
        )
        .filter(customers__gte=2)
        .order_by("-customers", "-last", "problem_id")[:limit]
    )
    problems = Problem.objects.select_related("product").in_bulk([s["problem_id"] for s in stats])
    return [
        ProblemView(
            problems[s["problem_id"]],
            distinct_customers=s["customers"],
            contacts_count=s["n"],
            first_at=s["first"],
            last_at=s["last"],
        )
        for s in stats
    ]
