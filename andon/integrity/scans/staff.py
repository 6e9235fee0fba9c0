"""Staff misuse and system errors, judged for every agent from AgentTally (contacts, repeats,
bursts) and the small tables (reviews, evidence links, bonus, teams): a team's baseline
moves with every agent's numbers, so every agent is judged again, from tallies, each time."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from andon.incentives.models import BonusCredit
from andon.people.models import Profile
from andon.pulls.models import AndonEvidence
from andon.reviews.models import PullReview

from .. import rules
from ..models import AgentTally
from ..rules import Finding


def _invalid_pulls(stats: dict[int, dict], names: dict[int, str], team_of: dict) -> None:
    """Invalid pulls against the rest of the team (everyone when no team)."""
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


def _few_customers(stats: dict[int, dict], names: dict[int, str]) -> None:
    """Evidence from the same few customers."""
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


def _repeats(stats: dict[int, dict]) -> None:
    """Repeated contacts for one customer, product and reason, against the other agents."""
    tallies = list(
        AgentTally.objects.filter(contacts__gt=0).values_list("agent_id", "contacts", "repeats")
    )
    total_contacts = sum(n for _a, n, _r in tallies)
    total_repeats = sum(r for _a, _n, r in tallies)
    for agent, n, repeats in tallies:
        rest = total_contacts - n
        stats[agent] |= {
            "contacts": n,
            "repeats": repeats,
            "baseline_repeat_rate": (total_repeats - repeats) / rest if rest else 0.0,
        }


def staff_misuse(now: dt.datetime | None = None) -> list[Finding]:
    now = now or timezone.now()
    stats: dict[int, dict[str, Any]] = defaultdict(dict)
    names = dict(Profile.objects.values_list("user_id", "user__username"))  # agents are few
    team_of = dict(Profile.objects.exclude(team=None).values_list("user_id", "team_id"))
    _invalid_pulls(stats, names, team_of)
    _few_customers(stats, names)
    _repeats(stats)

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


def system_errors() -> list[Finding]:
    """Each agent's densest burst of contacts, then of pulls, when bursts are unusual in the
    data (rules.bursts_are_unusual); one signal per agent."""
    found: list[Finding] = []
    seen: set[str] = set()
    for column, count, need in (
        ("contact_burst", "contacts", rules.BURST_CONTACTS),
        ("pull_burst", "pulls", rules.BURST_PULLS),
    ):
        bursts = list(
            AgentTally.objects.exclude(**{column: None})
            .order_by("agent_id")
            .values_list(column, flat=True)
        )
        busy = AgentTally.objects.filter(**{f"{count}__gte": need}).count()
        if not rules.bursts_are_unusual(len(bursts), busy):
            continue
        for burst in bursts:
            f = rules.system_error(rules.Burst(**burst))
            if f and f.subject not in seen:
                seen.add(f.subject)
                found.append(f)
    return found
