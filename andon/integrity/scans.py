"""The reads behind every signal: set-based SQL (aggregates, correlated subqueries, window
functions) that returns only the few rows worth a rule's attention. Python only ever sees the
candidates and a handful of population numbers, never a row per contact or customer.

Each function returns findings from integrity.rules; services.scan writes them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import (
    Count,
    DateTimeField,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Window,
)
from django.db.models.functions import Lag
from django.utils import timezone

from andon.contacts.models import Contact
from andon.incentives.models import BonusCredit
from andon.orders.models import Customer
from andon.people.models import Profile
from andon.pulls.models import AndonEvidence, CordPull
from andon.reviews.models import PullReview

from . import fraud, rules
from .rules import Finding

# --- account clusters -------------------------------------------------------------------

SHARED_FIELDS = {"phone": "phone", "address": "address_key", "device": "device_id"}


def _cluster_groups() -> list[tuple[int, str, str]]:
    """(product id, attribute, shared value) where at least two new accounts sharing that
    value reported the product."""
    new_before = F("created_at") - dt.timedelta(hours=rules.CLUSTER_NEW_ACCOUNT)
    out: list[tuple[int, str, str]] = []
    for label, fld in SHARED_FIELDS.items():
        shared = (
            Customer.objects.exclude(**{fld: ""})
            .values(fld)
            .annotate(n=Count("id"))
            .filter(n__gte=rules.CLUSTER_MIN_ACCOUNTS)
            .values(fld)
        )
        groups = (
            Contact.objects.filter(**{f"customer__{fld}__in": shared})
            .values("product_id", f"customer__{fld}")
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


def _cluster_reports() -> list[rules.ClusterReport]:
    groups = _cluster_groups()
    if not groups:
        return []
    window = dt.timedelta(hours=rules.CLUSTER_WINDOW_HOURS)
    # Per product: the contacts of each group, then clusters = groups joined by a customer.
    by_product: dict[int, list[tuple[str, list[tuple]]]] = defaultdict(list)
    for pid, label, key in groups:
        rows = list(
            Contact.objects.filter(product_id=pid, **{f"customer__{SHARED_FIELDS[label]}": key})
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


def account_clusters() -> list[Finding]:
    found: list[Finding] = []
    contact_ids: set[int] = set()
    for report in _cluster_reports():
        f = rules.account_cluster(report)
        if f:
            found.append(f)
            contact_ids.update(report.contacts)
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


# --- staff misuse -----------------------------------------------------------------------


def staff_misuse(now: dt.datetime | None = None) -> list[Finding]:
    now = now or timezone.now()
    stats: dict[int, dict] = defaultdict(dict)
    names = dict(
        Profile.objects.values_list("user_id", "user__username")
    )  # agents are few: one row each
    team_of = dict(Profile.objects.exclude(team=None).values_list("user_id", "team_id"))

    # Invalid pulls against the rest of the team (everyone when no team).
    per_agent = PullReview.objects.values("agent", "agent__username").annotate(
        n=Count("id"), k=Count("id", filter=Q(verdict="invalid"))
    )
    per_team = {
        r["team"]: (r["n"], r["k"])
        for r in PullReview.objects.values("team").annotate(
            n=Count("id"), k=Count("id", filter=Q(verdict="invalid"))
        )
    }
    all_n = sum(n for n, _k in per_team.values())
    all_k = sum(k for _n, k in per_team.values())
    for r in per_agent:
        names.setdefault(r["agent"], r["agent__username"])
        team_n, team_k = per_team.get(team_of.get(r["agent"], -1), (all_n, all_k))
        rest_n, rest_k = team_n - r["n"], team_k - r["k"]
        if rest_n <= 0:
            rest_n, rest_k = all_n - r["n"], all_k - r["k"]
        stats[r["agent"]] |= {
            "reviewed": r["n"],
            "invalid": r["k"],
            "baseline_invalid_rate": rest_k / rest_n if rest_n > 0 else 0.0,
        }

    # Evidence from the same few customers.
    links = (
        AndonEvidence.objects.values("andon__opened_by", "andon__opened_by__username")
        .annotate(links=Count("id"), andons=Count("andon", distinct=True))
        .filter(andons__gte=rules.MISUSE_MIN_ANDONS)
    )
    frequent_rows = (
        AndonEvidence.objects.filter(andon__opened_by__in=[r["andon__opened_by"] for r in links])
        .values("andon__opened_by", "contact__customer__external_id")
        .annotate(a=Count("andon", distinct=True), n=Count("id"))
        .filter(a__gte=2)
        .order_by("andon__opened_by", "-n")
    )
    tops: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    for fr in frequent_rows:
        tops[fr["andon__opened_by"]].append(
            (fr["contact__customer__external_id"], fr["a"], fr["n"])
        )
    for lr in links:
        agent = lr["andon__opened_by"]
        names.setdefault(agent, lr["andon__opened_by__username"])
        top = tops.get(agent, [])[: rules.MISUSE_FEW_CUSTOMERS]
        stats[agent] |= {
            "andons": lr["andons"],
            "evidence_links": lr["links"],
            "top_links": sum(n for _c, _a, n in top),
            "top_customers": tuple((c, a) for c, a, _n in top),
        }

    # Repeated contacts for one customer, product and reason.
    contacts = dict(
        Contact.objects.values("agent").annotate(n=Count("id")).values_list("agent", "n")
    )
    repeats: dict[int, int] = defaultdict(int)
    for agent, n in (
        Contact.objects.values("agent", "customer", "product", "reason")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .values_list("agent", "n")
    ):
        repeats[agent] += n - 1
    total_contacts, total_repeats = sum(contacts.values()), sum(repeats.values())
    for agent, n in contacts.items():
        rest = total_contacts - n
        stats[agent] |= {
            "contacts": n,
            "repeats": repeats.get(agent, 0),
            "baseline_repeat_rate": (total_repeats - repeats.get(agent, 0)) / rest if rest else 0.0,
        }

    # Bonus concentration this quarter (a supporting reason only).
    since = now - dt.timedelta(days=90)
    bonus = dict(
        BonusCredit.objects.filter(credited_at__gte=since)
        .values("agent")
        .annotate(s=Sum("amount"))
        .values_list("agent", "s")
    )
    team_bonus: dict[int | None, float] = defaultdict(float)
    team_size: dict[int | None, int] = defaultdict(int)
    for user_id, team in team_of.items():
        team_size[team] += 1
        team_bonus[team] += float(bonus.get(user_id) or 0)

    found = []
    tested = len(stats)
    for agent, s in stats.items():
        team = team_of.get(agent, 0)
        tb = team_bonus.get(team, 0.0) if team else 0.0
        f = rules.staff_misuse(
            rules.AgentStats(
                agent=names.get(agent) or str(agent),
                bonus_share=float(bonus.get(agent) or 0) / tb if tb else 0.0,
                team_size=team_size.get(team, 0) if team else 0,
                tested=tested,
                **s,
            )
        )
        if f:
            found.append(f)
    return found


# --- system errors ----------------------------------------------------------------------


def _bursts(
    qs: QuerySet, time_field: str, agent_field: str, need: int
) -> list[tuple[int, dt.datetime]]:
    """(agent, time) where the agent's `need`-th record back is within the burst window: a
    window function (LAG over the agent's records in time order), filtered in SQL."""
    window = dt.timedelta(minutes=rules.BURST_MINUTES)
    marked = qs.annotate(
        _prev=Window(
            Lag(time_field, offset=need - 1),
            partition_by=[F(agent_field)],
            order_by=F(time_field).asc(),
            output_field=DateTimeField(),
        )
    ).filter(_prev__gte=F(time_field) - window)
    return list(marked.values_list(agent_field, time_field))


def system_errors() -> list[Finding]:
    window = dt.timedelta(minutes=rules.BURST_MINUTES)
    found: list[Finding] = []
    # Contacts: the densest burst per agent.
    ends: dict[int, list[dt.datetime]] = defaultdict(list)
    for agent, at in _bursts(Contact.objects.all(), "created_at", "agent", rules.BURST_CONTACTS):
        ends[agent].append(at)
    busy = (
        Contact.objects.values("agent")
        .annotate(n=Count("id"))
        .filter(n__gte=rules.BURST_CONTACTS)
        .count()
    )
    if not rules.bursts_are_unusual(len(ends), busy):
        ends.clear()
    for agent, times in ends.items():
        best: rules.Burst | None = None
        for at in _spread(times, window):
            r = Contact.objects.filter(
                agent_id=agent, created_at__gt=at - window, created_at__lte=at
            ).aggregate(
                n=Count("id"),
                p=Count("product", distinct=True),
                imported=Count("id", filter=Q(external_id__isnull=False)),
                first=Min("created_at"),
                last=Max("created_at"),
                who=Max("agent__username"),
            )
            b = rules.Burst(
                r["who"],
                "contacts",
                r["n"],
                r["p"],
                (r["last"] - r["first"]).total_seconds() / 60,
                r["imported"],
                r["first"].isoformat(),
            )
            if best is None or (b.products, b.count) > (best.products, best.count):
                best = b
        f = rules.system_error(best) if best else None
        if f:
            found.append(f)
    # Pulls.
    ends = defaultdict(list)
    for agent, at in _bursts(CordPull.objects.all(), "pulled_at", "agent", rules.BURST_PULLS):
        ends[agent].append(at)
    busy = (
        CordPull.objects.values("agent")
        .annotate(n=Count("id"))
        .filter(n__gte=rules.BURST_PULLS)
        .count()
    )
    if not rules.bursts_are_unusual(len(ends), busy):
        ends.clear()
    for agent, times in ends.items():
        best = None
        for at in _spread(times, window):
            r = CordPull.objects.filter(
                agent_id=agent, pulled_at__gt=at - window, pulled_at__lte=at
            ).aggregate(
                n=Count("id"),
                p=Count("andon__product", distinct=True),
                first=Min("pulled_at"),
                last=Max("pulled_at"),
                who=Max("agent__username"),
            )
            b = rules.Burst(
                r["who"],
                "pulls",
                r["n"],
                r["p"],
                (r["last"] - r["first"]).total_seconds() / 60,
                0,
                r["first"].isoformat(),
            )
            if best is None or (b.products, b.count) > (best.products, best.count):
                best = b
        f = rules.system_error(best) if best else None
        if f and not any(x.subject == f.subject for x in found):
            found.append(f)
    return found


def _spread(times: list[dt.datetime], window: dt.timedelta) -> list[dt.datetime]:
    """One probe per burst window: the bursts' end times, at least a window apart, capped so
    that an agent with a thousand bursts costs a few queries, not a thousand."""
    out: list[dt.datetime] = []
    for t in sorted(times):
        if out and t - out[-1] < window:
            out[-1] = t  # the same burst, seen later: it holds at least as many records
        else:
            out.append(t)
    return out[:20]


def scan_all() -> list[Finding]:
    return fraud.customer_fraud() + account_clusters() + staff_misuse() + system_errors()
