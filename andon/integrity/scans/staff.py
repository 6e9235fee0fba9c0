"""Staff misuse and system errors, judged for every agent from AgentTally (contacts, repeats,
bursts, reviews, evidence links) with the bonus and the teams: a team's baseline moves with
every agent's numbers, so every agent is judged again, from the tallies, each time."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone

from andon.incentives.models import BonusCredit
from andon.people.models import Profile

from .. import rules
from ..models import AgentTally
from ..rules import Finding
from .agents import CONTACTS, PULLS, densest


def _invalid_pulls(stats: dict[int, dict], tallies: list[AgentTally], team_of: dict) -> None:
    """Invalid pulls against the rest of the team (everyone when no team)."""
    per_team: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for t in tallies:
        for team, (n, k) in t.reviews.items():
            per_team[team][0] += n
            per_team[team][1] += k
    all_n = sum(n for n, _k in per_team.values())
    all_k = sum(k for _n, k in per_team.values())
    for t in tallies:
        if not t.reviews:
            continue
        n = sum(v[0] for v in t.reviews.values())
        k = sum(v[1] for v in t.reviews.values())
        team_n, team_k = per_team.get(str(team_of.get(t.agent_id, -1)), (all_n, all_k))
        rest_n, rest_k = team_n - n, team_k - k
        if rest_n <= 0:
            rest_n, rest_k = all_n - n, all_k - k
        stats[t.agent_id] |= {
            "reviewed": n,
            "invalid": k,
            "baseline_invalid_rate": rest_k / rest_n if rest_n > 0 else 0.0,
        }


def _few_customers(stats: dict[int, dict], tallies: list[AgentTally]) -> None:
    """Evidence from the same few customers."""
    for t in tallies:
        if t.andons < rules.MISUSE_MIN_ANDONS:
            continue
        stats[t.agent_id] |= {
            "andons": t.andons,
            "evidence_links": t.links,
            "top_links": sum(n for _c, _a, n in t.top),
            "top_customers": tuple((c, a) for c, a, _n in t.top),
        }


def _repeats(stats: dict[int, dict], tallies: list[AgentTally]) -> None:
    """Repeated contacts for one customer, product and reason, against the other agents."""
    with_contacts = [t for t in tallies if t.contacts > 0]
    total_contacts = sum(t.contacts for t in with_contacts)
    total_repeats = sum(t.repeats for t in with_contacts)
    for t in with_contacts:
        rest = total_contacts - t.contacts
        stats[t.agent_id] |= {
            "contacts": t.contacts,
            "repeats": t.repeats,
            "baseline_repeat_rate": (total_repeats - t.repeats) / rest if rest else 0.0,
        }


def staff_misuse(now: dt.datetime | None = None) -> list[Finding]:
    now = now or timezone.now()
    stats: dict[int, dict[str, Any]] = defaultdict(dict)
    tallies = list(AgentTally.objects.order_by("agent_id"))
    team_of = dict(Profile.objects.exclude(team=None).values_list("user_id", "team_id"))
    _invalid_pulls(stats, tallies, team_of)
    _few_customers(stats, tallies)
    _repeats(stats, tallies)
    names = dict(get_user_model().objects.filter(pk__in=list(stats)).values_list("pk", "username"))

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
    for column, count, rec in (
        ("contact_burst", "contacts", CONTACTS),
        ("pull_burst", "pulls", PULLS),
    ):
        bursts = list(
            AgentTally.objects.exclude(**{column: None})
            .order_by("agent_id")
            .values_list("agent_id", column)
        )
        busy = AgentTally.objects.filter(**{f"{count}__gte": rec.need}).count()
        if not rules.bursts_are_unusual(len(bursts), busy):
            continue
        for agent, probes in bursts:
            burst = densest(agent, probes, rec)
            f = rules.system_error(burst) if burst else None
            if f and f.subject not in seen:
                seen.add(f.subject)
                found.append(f)
    return found
