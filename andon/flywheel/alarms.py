"""Reads of the silent-cord alarm: per team, the pulls and contacts of one period and of its
trailing baseline (two GROUP BY queries for every team at once), judged by
rules.silence_test."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from andon.contacts.models import Contact
from andon.people.models import Team
from andon.pulls.models import Andon

from . import rules
from .families import bounds, day_of, trunc
from .models import SilentCordAlarm


@dataclass(frozen=True)
class TeamSilence:
    team_id: int
    team_code: str
    team_name: str
    lead_id: int | None
    period: str
    period_start: dt.date
    test: rules.SilenceTest

    @property
    def period_label(self) -> str:
        return rules.period_label(self.period_start, self.period)


def silences(
    *,
    period: str = "week",
    today: dt.date | None = None,
    team_id: int | None = None,
    baseline: int = rules.ALARM_BASELINE_PERIODS,
) -> list[TeamSilence]:
    """Every team's test for the last complete period (alarm or not), by team code."""
    starts = rules.periods(today or timezone.localdate(), period, baseline + 1)
    current = starts[-1]
    since = bounds(starts[0], starts[0])[0]
    until = bounds(rules.period_end(current, period), current)[0]
    pulls: dict[tuple[int, dt.date], int] = {}
    andons = Andon.objects.filter(opened_at__gte=since, opened_at__lt=until, team_id__isnull=False)
    contacts = Contact.objects.filter(
        created_at__gte=since, created_at__lt=until, agent__profile__team_id__isnull=False
    )
    if team_id is not None:
        andons = andons.filter(team_id=team_id)
        contacts = contacts.filter(agent__profile__team_id=team_id)
    for r in (
        andons.annotate(p=trunc("opened_at", period))
        .values("team_id", "p")
        .annotate(n=Count("id"))
        .order_by()
    ):
        pulls[(r["team_id"], day_of(r["p"]))] = r["n"]
    handled: dict[tuple[int, dt.date], int] = {}
    for c in (
        contacts.annotate(p=trunc("created_at", period))
        .values("agent__profile__team_id", "p")
        .annotate(n=Count("id"))
        .order_by()
    ):
        handled[(c["agent__profile__team_id"], day_of(c["p"]))] = c["n"]
    team_ids = {t for t, _ in pulls} | {t for t, _ in handled}
    teams = Team.objects.filter(pk__in=team_ids).order_by("code")
    out = []
    for team in teams:
        base = starts[:-1]
        test = rules.silence_test(
            pulls=pulls.get((team.pk, current), 0),
            contacts=handled.get((team.pk, current), 0),
            baseline_pulls=[pulls.get((team.pk, s), 0) for s in base],
            baseline_contacts=[handled.get((team.pk, s), 0) for s in base],
        )
        out.append(TeamSilence(team.pk, team.code, team.name, team.lead_id, period, current, test))
    return out


def alarms(
    *, period: str = "week", today: dt.date | None = None, team_id: int | None = None
) -> list[TeamSilence]:
    """The teams whose cord went silent in the last complete period."""
    return [s for s in silences(period=period, today=today, team_id=team_id) if s.test.alarm]


def raised_alarms(*, limit: int = 50) -> list[SilentCordAlarm]:
    """Alarms the check has written (and sent as outbox events), newest first."""
    return list(SilentCordAlarm.objects.select_related("team").order_by("-period_start")[:limit])
