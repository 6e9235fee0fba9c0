"""Reads of reviews: the queue, the bad-andon rate per team lead / team / period, the drill
down to pulls and root causes, and corrective actions.

The KPI counts reviews (team lead, team and pull time are copied onto `PullReview` from the
andon's pull-time snapshot) per week or month of the pull in the service's time zone: whole
days from the daily tallies (summaries.py), partial days from PullReview's indexes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from andon.people.models import Team
from andon.pulls.models import Andon

from . import rules, summaries
from .models import (
    CorrectiveAction,
    DailyReviewTally,
    PullReview,
    ReviewPolicy,
    VerdictCorrection,
)


def review_policy() -> ReviewPolicy:
    """The configured policy, or the defaults (review all, target 2 %) when none is saved."""
    return ReviewPolicy.objects.order_by("pk").first() or ReviewPolicy()


def review_of(*, andon_id: int) -> PullReview | None:
    """The review of a pull with its corrective actions and its corrections (oldest first)."""
    return (
        PullReview.objects.select_related(
            "reviewer", "team_lead", "agent", "andon__product", "andon__reason"
        )
        .prefetch_related(
            "actions__assignee",
            "actions__department",
            "actions__owner",
            Prefetch(
                "corrections",
                queryset=VerdictCorrection.objects.select_related("corrected_by"),
            ),
        )
        .filter(andon_id=andon_id)
        .first()
    )


def review_queue(*, user_id: int | None, limit: int = 100) -> list[Andon]:
    """Pulls waiting for a review, oldest first: those of the lead's teams (the lead at pull
    time, or the team's lead now), or all when `user_id` is None (an admin), restricted to
    the policy's sample.

    Read by keyset in chunks: each source (the lead's own pulls, the pulls of the teams they
    lead now) walks its index (team_lead | team, opened_at, id) with an anti-join on the
    review, so a page costs the same whatever the history; the sample (a hash of the id) is
    applied here, and the sources are merged in pull order."""
    rate = review_policy().sample_rate
    # NOT EXISTS (not a left join) lets PostgreSQL walk the index in order and stop early.
    base = Andon.objects.filter(
        ~Exists(PullReview.objects.filter(andon_id=OuterRef("pk")))
    ).select_related("product", "reason", "opened_by", "team", "team_lead")
    if user_id is None:
        sources = [base]
    else:
        teams = Team.objects.filter(lead_id=user_id).values("pk")
        # The two sources overlap (a lead's own pulls are mostly their team's): merged by id.
        sources = [base.filter(team_lead_id=user_id), base.filter(team_id__in=teams)]
    found: dict[int, Andon] = {}
    for qs in sources:
        found.update((a.pk, a) for a in _sampled(qs, rate, limit))
    return sorted(found.values(), key=lambda a: (a.opened_at, a.pk))[:limit]


def _sampled(qs: QuerySet, rate: Decimal, limit: int) -> list[Andon]:
    """The first `limit` sampled andons of `qs` in pull order, read by keyset chunks."""
    out: list[Andon] = []
    after: Andon | None = None
    # One chunk is enough when the sample holds: the expected read for `limit` sampled pulls.
    chunk = min(2000, int(limit * 1.2 / max(float(rate), 0.05)) + 10)
    while len(out) < limit:
        page = qs
        if after is not None:
            page = page.filter(
                Q(opened_at__gt=after.opened_at) | Q(opened_at=after.opened_at, id__gt=after.pk)
            )
        rows = list(page.order_by("opened_at", "id")[:chunk])
        out += [a for a in rows if rules.is_sampled(a.pk, rate)]
        if len(rows) < chunk:
            break
        after = rows[-1]
    return out[:limit]


@dataclass(frozen=True)
class RateRow:
    key_id: int | None  # team lead's user id, team id, or None (whole organisation)
    key: str  # username, team code, or "" for the organisation
    period: str  # "2026-W03" or "2026-01"
    period_start: dt.date
    reviewed: int
    invalid: int
    rate: Decimal | None
    status: rules.RateStatus


def _trunc(period: str) -> TruncMonth | TruncWeek:
    tz = timezone.get_current_timezone()
    return (
        TruncMonth("pulled_at", tzinfo=tz)
        if period == rules.Period.MONTH
        else TruncWeek("pulled_at", tzinfo=tz)
    )


def _as_date(value: dt.date | dt.datetime | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):  # SQLite may hand a truncated date back as text
        return dt.date.fromisoformat(value[:10])
    return value


_KEYS = {
    "team_lead": ("team_lead_id", "team_lead__username"),
    "team": ("team_id", "team__code"),
}
# (key id, period start) -> [key name, reviewed, invalid]
Tally = dict[tuple[int | None, dt.date], list]


def _add(out: Tally, rows: Any, by: str) -> None:
    keys = _KEYS.get(by)
    for r in rows:
        key_id = r[keys[0]] if keys else None
        name = (r[keys[1]] or "") if keys else ""
        cell = out.setdefault((key_id, _as_date(r["p"])), [name, 0, 0])
        cell[1] += r["reviewed"]
        cell[2] += r["invalid"] or 0


def _whole_days(
    since: dt.datetime | None, until: dt.datetime | None
) -> tuple[dt.date | None, dt.date | None]:
    """The first whole day at or after `since` and the day after the last whole day before
    `until` (service time zone); None for an open end."""
    first = last = None
    if since is not None:
        first = summaries.local_day(since)
        if summaries.day_start(first) < since:
            first += dt.timedelta(days=1)
    if until is not None:
        last = summaries.local_day(until)
    return first, last


def bad_andon_rate(
    *,
    period: str = rules.Period.WEEK,
    by: str = "team_lead",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    team_lead_id: int | None = None,
    team_id: int | None = None,
    target: Decimal | None = None,
) -> list[RateRow]:
    """Invalid / reviewed pulls per `by` ("team_lead", "team" or "all") and period of the
    pull, oldest period first. Periods without a reviewed pull have no row.

    Whole days come from the daily tallies (DailyReviewTally, a few rows per day whatever
    the number of reviews); the partial days at either end of [since, until) are counted
    from PullReview itself through its (pulled_at, verdict) indexes."""
    target = review_policy().target_rate if target is None else target
    if by not in ("team_lead", "team", "all"):
        raise KeyError(by)
    keys = list(_KEYS.get(by, ()))
    first, last = _whole_days(since, until)
    out: Tally = {}
    if first is None or last is None or first < last:
        tallies: QuerySet = DailyReviewTally.objects.all()
        if first is not None:
            tallies = tallies.filter(day__gte=first)
        if last is not None:
            tallies = tallies.filter(day__lt=last)
        if team_lead_id is not None:
            tallies = tallies.filter(team_lead_id=team_lead_id)
        if team_id is not None:
            tallies = tallies.filter(team_id=team_id)
        p = TruncMonth("day") if period == rules.Period.MONTH else TruncWeek("day")
        _add(
            out,
            tallies.annotate(p=p)
            .values(*keys, "p")
            .annotate(reviewed=Sum("reviewed"), invalid=Sum("invalid"))
            .order_by(),
            by,
        )
        edges: list[tuple[dt.datetime | None, dt.datetime | None]] = []
        if since is not None and first is not None and summaries.day_start(first) > since:
            edges.append((since, summaries.day_start(first)))
        if until is not None and last is not None and summaries.day_start(last) < until:
            edges.append((summaries.day_start(last), until))
    else:  # less than one whole day: all of it from the reviews
        edges = [(since, until)]
    for lo, hi in edges:
        qs: QuerySet = PullReview.objects.all()
        if lo is not None:  # (the window's ends are never both open here)
            qs = qs.filter(pulled_at__gte=lo)
        if hi is not None:
            qs = qs.filter(pulled_at__lt=hi)
        if team_lead_id is not None:
            qs = qs.filter(team_lead_id=team_lead_id)
        if team_id is not None:
            qs = qs.filter(team_id=team_id)
        _add(
            out,
            qs.annotate(p=_trunc(period))
            .values(*keys, "p")
            .annotate(reviewed=Count("id"), invalid=Count("id", filter=Q(verdict="invalid")))
            .order_by(),
            by,
        )
    rows = []
    for (key_id, start), (key, reviewed, invalid) in sorted(
        out.items(), key=lambda kv: (kv[0][1], kv[0][0] is None, kv[0][0] or 0)
    ):
        if not reviewed:
            continue
        rate = rules.bad_andon_rate(reviewed, invalid)
        rows.append(
            RateRow(
                key_id,
                key,
                rules.period_label(start, period),
                start,
                reviewed,
                invalid,
                rate,
                rules.status(rate, target),
            )
        )
    return rows


def reviews_in(
    *,
    since: dt.datetime,
    until: dt.datetime,
    team_lead_id: int | None = None,
    team_id: int | None = None,
    verdict: str | None = None,
) -> list[PullReview]:
    """The drill-down: reviewed pulls of a period with their root causes and actions."""
    qs = PullReview.objects.filter(pulled_at__gte=since, pulled_at__lt=until)
    if team_lead_id is not None:
        qs = qs.filter(team_lead_id=team_lead_id)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if verdict:
        qs = qs.filter(verdict=verdict)
    return list(
        qs.select_related("andon__product", "andon__reason", "agent", "reviewer", "team_lead")
        .prefetch_related("actions", "corrections")
        .order_by("-verdict", "pulled_at")
    )


def root_causes(
    *, since: dt.datetime, until: dt.datetime, team_lead_id: int | None = None
) -> dict[str, int]:
    """Invalid pulls per root cause in the period, every cause present (zero when none)."""
    qs = PullReview.objects.filter(pulled_at__gte=since, pulled_at__lt=until, verdict="invalid")
    if team_lead_id is not None:
        qs = qs.filter(team_lead_id=team_lead_id)
    counts = dict(
        qs.values_list("root_cause").annotate(n=Count("id")).values_list("root_cause", "n")
    )
    return {c.value: counts.get(c.value, 0) for c in rules.RootCause}


def corrective_actions(
    *, open_only: bool = True, owner_id: int | None = None, limit: int = 200
) -> list[CorrectiveAction]:
    qs = CorrectiveAction.objects.select_related(
        "review__andon__product", "review__agent", "assignee", "department", "owner"
    )
    if open_only:
        qs = qs.filter(done_at__isnull=True, withdrawn_at__isnull=True)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    return list(qs.order_by("due_on", "id")[:limit])
