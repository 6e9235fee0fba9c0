"""AgentTally: what the staff-misuse and system-error signals need from an agent's contacts,
pulls, reviews and evidence links, computed set-based for every agent on a full scan and for
the agents a write touched on an incremental one. Only the bonus and the teams are read
whole each time (a few rows per agent)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, DateTimeField, F, Max, Min, Q, QuerySet, Window
from django.db.models.functions import Lag

from andon.contacts.models import Contact
from andon.pulls.models import AndonEvidence, CordPull
from andon.reviews.models import PullReview

from .. import rules
from ..models import AgentTally


@dataclass(frozen=True)
class Records:
    """One kind of record an agent makes, as the burst rule reads it."""

    what: str  # "contacts" or "pulls"
    model: Any  # Contact or CordPull (their managers)
    at: str  # the time field
    product: str  # the path to the product
    need: int  # records within the window that make a burst
    imported: Q | None  # which records came by import (None: none can)


CONTACTS = Records(
    "contacts", Contact, "created_at", "product", rules.BURST_CONTACTS, Q(external_id__isnull=False)
)
PULLS = Records("pulls", CordPull, "pulled_at", "andon__product", rules.BURST_PULLS, None)


def _bursts(qs: QuerySet, rec: Records) -> list[tuple[int, dt.datetime]]:
    """(agent, time) where the agent's `need`-th record back is within the burst window: a
    window function (LAG over the agent's records in time order), filtered in SQL."""
    window = dt.timedelta(minutes=rules.BURST_MINUTES)
    marked = qs.annotate(
        _prev=Window(
            Lag(rec.at, offset=rec.need - 1),
            partition_by=[F("agent")],
            order_by=F(rec.at).asc(),
            output_field=DateTimeField(),
        )
    ).filter(_prev__gte=F(rec.at) - window)
    return list(marked.values_list("agent", rec.at))


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


def densest(agent: int, probes: list[str], rec: Records) -> rules.Burst | None:
    """The agent's burst on the most products (then the most records), looked for at the
    probes the tally kept (one aggregate each). Only asked for when bursts are unusual in
    the data, so only for the few agents who burst."""
    window = dt.timedelta(minutes=rules.BURST_MINUTES)
    best: rules.Burst | None = None
    for at in (dt.datetime.fromisoformat(p) for p in probes):
        r = rec.model.objects.filter(
            **{"agent_id": agent, f"{rec.at}__gt": at - window, f"{rec.at}__lte": at}
        ).aggregate(
            n=Count("id"),
            p=Count(rec.product, distinct=True),
            first=Min(rec.at),
            last=Max(rec.at),
            who=Max("agent__username"),
            **({"imported": Count("id", filter=rec.imported)} if rec.imported else {}),
        )
        b = rules.Burst(
            r["who"],
            rec.what,
            r["n"],
            r["p"],
            (r["last"] - r["first"]).total_seconds() / 60,
            r.get("imported", 0),
            r["first"].isoformat(),
        )
        if best is None or (b.products, b.count) > (best.products, best.count):
            best = b
    return best


def _of(model: Any, agents: Collection[int] | None) -> QuerySet:
    qs = model.objects.all()
    return qs if agents is None else qs.filter(agent_id__in=agents)


def _pulls_judged(rows: dict[int, dict[str, Any]], agents: Collection[int] | None) -> None:
    """Reviews per team at the time (for the team's baseline), and the andons each agent
    opened with evidence: links, and the customers behind them most often."""
    reviews = PullReview.objects.all()
    links = AndonEvidence.objects.all()
    if agents is not None:
        reviews = reviews.filter(agent_id__in=agents)
        links = links.filter(andon__opened_by__in=agents)
    for r in reviews.values("agent", "team").annotate(
        n=Count("id"), k=Count("id", filter=Q(verdict="invalid"))
    ):
        rows[r["agent"]].setdefault("reviews", {})[str(r["team"])] = [r["n"], r["k"]]
    for agent, n, a in (
        links.values("andon__opened_by")
        .annotate(n=Count("id"), a=Count("andon", distinct=True))
        .values_list("andon__opened_by", "n", "a")
    ):
        rows[agent] |= {"links": n, "andons": a}
    for agent, customer, a, n in (
        links.values("andon__opened_by", "contact__customer__external_id")
        .annotate(a=Count("andon", distinct=True), n=Count("id"))
        .filter(a__gte=2)
        .order_by("andon__opened_by", "-n", "contact__customer__external_id")
        .values_list("andon__opened_by", "contact__customer__external_id", "a", "n")
    ):
        top = rows[agent].setdefault("top", [])
        if len(top) < rules.MISUSE_FEW_CUSTOMERS:
            top.append([customer, a, n])


@transaction.atomic
def tally_refresh(agents: Collection[int] | None = None) -> None:
    """Recompute the tally rows of `agents` (None: every agent)."""
    rows: dict[int, dict[str, Any]] = defaultdict(dict)
    for agent, n in (
        _of(Contact, agents).values("agent").annotate(n=Count("id")).values_list("agent", "n")
    ):
        rows[agent]["contacts"] = n
    # Contacts beyond the first per (customer, product, reason).
    for agent, n in (
        _of(Contact, agents)
        .values("agent", "customer", "product", "reason")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .values_list("agent", "n")
    ):
        rows[agent]["repeats"] = rows[agent].get("repeats", 0) + n - 1
    for agent, n in (
        _of(CordPull, agents).values("agent").annotate(n=Count("id")).values_list("agent", "n")
    ):
        rows[agent]["pulls"] = n
    for rec, col in ((CONTACTS, "contact_burst"), (PULLS, "pull_burst")):
        ends: dict[int, list[dt.datetime]] = defaultdict(list)
        for agent, at in _bursts(_of(rec.model, agents), rec):
            ends[agent].append(at)
        window = dt.timedelta(minutes=rules.BURST_MINUTES)
        for agent, times in ends.items():
            rows[agent][col] = [t.isoformat() for t in _spread(times, window)]
    _pulls_judged(rows, agents)
    stale = AgentTally.objects.all()
    if agents is not None:
        stale = stale.filter(agent_id__in=agents)
    stale.delete()
    AgentTally.objects.bulk_create(
        [AgentTally(agent_id=a, **r) for a, r in sorted(rows.items())], batch_size=500
    )
