"""Reads of the silent-cord alarm: per team, the pulls and contacts of one period and of its
trailing baseline (one GROUP BY over the summaries' day rows for every team at once; see
summaries.py), judged by rules.silence_test."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone

from andon.people.models import Team

from . import rules
from .families import day_of, trunc
from .models import FlywheelTally, SilentCordAlarm
from .summaries import DAY


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
    # The summaries' day rows of every team (one query): pulls by the andon's team, contacts
    # by the agent's team, as the dashboard counts them.
    pulls: dict[tuple[int, dt.date], int] = {}
    handled: dict[tuple[int, dt.date], int] = {}
    rows = FlywheelTally.objects.filter(
        grain=DAY,
        org=False,
        team__isnull=False,
        key__in=("pulls", "contacts"),
        start__gte=starts[0],
        start__lt=rules.period_end(current, period),
    )
    if team_id is not None:
        rows = rows.filter(team_id=team_id)
    for r in (
        rows.annotate(p=trunc("start", period, date_field=True))
        .values("team_id", "key", "p")
        .annotate(n=Sum("n"))
        .order_by()
    ):
        (pulls if r["key"] == "pulls" else handled)[(r["team_id"], day_of(r["p"]))] = r["n"]
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
