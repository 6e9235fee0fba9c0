"""Selectors of the Monday review (the talk's weekly executive meeting): for one manager or
the whole service organisation, last week's pulls, the bad-andon rate against target with
its trend, root causes, open corrective actions, recovery cost, time to contain (first
evidence contact -> pull) and time to relist (pull -> andon closed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    QuerySet,
)
from django.db.models.functions import TruncWeek
from django.utils import timezone

from andon.people.models import Team
from andon.pulls.models import Andon
from andon.recovery.rules import total_cost
from andon.recovery.selectors import CostLine, recovery_cost

from . import rules
from .models import CorrectiveAction
from .selectors import RateRow, bad_andon_rate, corrective_actions, review_policy, root_causes

TREND_WEEKS = 8
PULL_LINES = 200  # lines listed on the page; the figures count every pull


@dataclass(frozen=True)
class PullLine:
    andon: Andon
    verdict: str  # "valid", "invalid" or "" (not reviewed)
    root_cause: str
    contain_hours: float | None
    relist_hours: float | None


@dataclass
class MondayReview:
    week_start: dt.date
    week_end: dt.date  # exclusive
    team_lead: User | None
    target: Decimal
    pulls: list[PullLine]  # the first PULL_LINES pulls of the week, in pull order
    pull_count: int  # every pull of the week
    week: RateRow | None
    trend: list[RateRow]
    causes: dict[str, int]
    open_actions: list[CorrectiveAction]
    recovery: list[CostLine]
    contain_median_hours: float | None
    relist_median_hours: float | None
    leads: list[RateRow] = field(default_factory=list)  # per lead, organisation view only

    @property
    def recovery_total(self) -> Decimal:
        return total_cost(c.cost for c in self.recovery)

    @property
    def reviewed(self) -> int:
        return self.week.reviewed if self.week else 0

    @property
    def invalid(self) -> int:
        return self.week.invalid if self.week else 0

    @property
    def rate(self) -> Decimal | None:
        return self.week.rate if self.week else None

    @property
    def status(self) -> str:
        return rules.status(self.rate, self.target)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = ZoneInfo(settings.TIME_ZONE)
    return (dt.datetime.combine(start, dt.time(), tz), dt.datetime.combine(end, dt.time(), tz))


def _hours(a: dt.datetime | None, b: dt.datetime | None) -> float | None:
    return round((b - a).total_seconds() / 3600, 1) if a and b else None


class _MedianHours(Aggregate):
    """PostgreSQL: the median of (b - a) in hours, each rounded to 0.1 h as a line shows it."""

    function = "PERCENTILE_CONT"
    template = (
        "%(function)s(0.5) WITHIN GROUP (ORDER BY "
        "round((extract(epoch from (%(expressions)s)) / 3600)::numeric, 1))"
    )
    output_field = FloatField()


def _week_figures(opened: QuerySet) -> tuple[int, float | None, float | None]:
    """Pulls of the week and the median hours to contain and to relist: one aggregate on
    PostgreSQL; elsewhere (SQLite) the three times of each pull, counted here."""
    if connection.vendor == "postgresql":
        r = opened.aggregate(
            n=Count("id"),
            contain=_MedianHours(
                ExpressionWrapper(
                    F("opened_at") - F("first_report_at"), output_field=DurationField()
                )
            ),
            relist=_MedianHours(
                ExpressionWrapper(F("closed_at") - F("opened_at"), output_field=DurationField())
            ),
        )
        rounded = [None if r[k] is None else round(r[k], 1) for k in ("contain", "relist")]
        return r["n"], rounded[0], rounded[1]
    times = list(opened.values_list("first_report_at", "opened_at", "closed_at"))
    return (
        len(times),
        _median((first, pulled) for first, pulled, _c in times),
        _median((pulled, closed) for _f, pulled, closed in times),
    )


def _median(spans: Iterable[tuple[dt.datetime | None, dt.datetime | None]]) -> float | None:
    """Median hours of the spans with both ends, rounded as each line's hours are."""
    hours = [_hours(a, b) for a, b in spans]
    return rules.median_hours(dt.timedelta(hours=h) for h in hours if h is not None)


def monday_review(*, week_start: dt.date, team_lead: User | None = None) -> MondayReview:
    """The review of the week starting on `week_start` (a Monday), for one team lead (the
    pulls they answer for) or, with `team_lead=None`, the whole organisation."""
    week_start = rules.period_start(week_start, rules.Period.WEEK)
    week_end = week_start + dt.timedelta(days=7)
    since, until = _bounds(week_start, week_end)
    lead_id = team_lead.pk if team_lead else None
    target = review_policy().target_rate
    by = "team_lead" if lead_id else "all"
    trend_since, _ = _bounds(week_start - dt.timedelta(weeks=TREND_WEEKS - 1), week_end)
    trend = bad_andon_rate(
        period="week", by=by, since=trend_since, until=until, team_lead_id=lead_id, target=target
    )
    week = next((r for r in trend if r.period_start == week_start), None)
    opened = Andon.objects.filter(opened_at__gte=since, opened_at__lt=until)
    if lead_id:
        opened = opened.filter(team_lead_id=lead_id)
    # The medians over every pull of the week from three stored times (the first report is
    # stamped on the andon at pull time); the lines of the first PULL_LINES pulls only.
    pull_count, contain_median, relist_median = _week_figures(opened)
    andons = list(
        opened.select_related("product", "reason", "opened_by", "team_lead", "review").order_by(
            "opened_at", "id"
        )[:PULL_LINES]
        if pull_count
        else []
    )
    lines = []
    for a in andons:
        review = getattr(a, "review", None)
        lines.append(
            PullLine(
                a,
                review.verdict if review else "",
                review.root_cause if review else "",
                _hours(a.first_report_at, a.opened_at),
                _hours(a.opened_at, a.closed_at),
            )
        )
    team_id = None
    if lead_id:
        team = Team.objects.filter(lead_id=lead_id).first()
        team_id = team.pk if team else -1
    return MondayReview(
        week_start=week_start,
        week_end=week_end,
        team_lead=team_lead,
        target=target,
        pulls=lines,
        pull_count=pull_count,
        week=week,
        trend=trend,
        causes=root_causes(since=since, until=until, team_lead_id=lead_id),
        open_actions=corrective_actions(open_only=True, owner_id=lead_id),
        recovery=recovery_cost(since=since, until=until, team_id=team_id),
        contain_median_hours=contain_median,
        relist_median_hours=relist_median,
        leads=[]
        if lead_id
        else bad_andon_rate(period="week", by="team_lead", since=since, until=until, target=target),
    )


def managers() -> list[User]:
    """Everyone the Monday review has a page for: the leads of teams, and leads of past pulls."""
    ids = set(Team.objects.exclude(lead=None).values_list("lead_id", flat=True))
    ids |= set(
        Andon.objects.exclude(team_lead=None).values_list("team_lead_id", flat=True).distinct()
    )
    return list(User.objects.filter(pk__in=ids).order_by("username"))


def pulls_per_week(
    *, since: dt.datetime, until: dt.datetime, team_lead_id: int | None = None
) -> dict[dt.date, int]:
    """How many andons were opened per week (reviewed or not), for the trend chart."""
    qs = Andon.objects.filter(opened_at__gte=since, opened_at__lt=until)
    if team_lead_id:
        qs = qs.filter(team_lead_id=team_lead_id)
    rows = (
        qs.annotate(w=TruncWeek("opened_at", tzinfo=timezone.get_current_timezone()))
        .values("w")
        .annotate(n=Count("id"))
        .values_list("w", "n")
    )
    return {w.date(): n for w, n in rows}
