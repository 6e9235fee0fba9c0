"""The report selectors as they were on main 7d2d8c9, before the daily tallies, the stored
first report and the keyset queue: bench/kpis.py times them on the same database in the same
run as the "before" rows. Copied verbatim (bad_andon_rate, review_queue, monday_review); not
used by Andon itself."""

# ruff: noqa
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from andon.people.models import Team
from andon.pulls.models import Andon, AndonEvidence
from andon.recovery.selectors import recovery_cost
from andon.reviews import rules
from andon.reviews.models import PullReview
from andon.reviews.monday import TREND_WEEKS, MondayReview, PullLine, _bounds, _hours
from andon.reviews.selectors import RateRow, corrective_actions, review_policy, root_causes


def review_queue(*, user_id: int | None, limit: int = 100) -> list[Andon]:
    """Pulls waiting for a review, oldest first: those of the lead's teams (the lead at pull
    time, or the team's lead now), or all when `user_id` is None (an admin), restricted to
    the policy's sample."""
    rate = review_policy().sample_rate
    qs = Andon.objects.filter(review__isnull=True).select_related(
        "product", "reason", "opened_by", "team", "team_lead"
    )
    if user_id is not None:
        qs = qs.filter(Q(team_lead_id=user_id) | Q(team__lead_id=user_id))
    out = []
    # The sample is a hash of the id, so it is filtered here; the queue is short by nature.
    for andon in qs.order_by("opened_at", "id").iterator(chunk_size=500):
        if rules.is_sampled(andon.pk, rate):
            out.append(andon)
            if len(out) >= limit:
                break
    return out


def _trunc(period: str) -> TruncMonth | TruncWeek:
    tz = timezone.get_current_timezone()
    return (
        TruncMonth("pulled_at", tzinfo=tz)
        if period == rules.Period.MONTH
        else TruncWeek("pulled_at", tzinfo=tz)
    )


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
    pull, oldest period first. Periods without a reviewed pull have no row."""
    target = review_policy().target_rate if target is None else target
    qs: QuerySet = PullReview.objects.all()
    if since is not None:
        qs = qs.filter(pulled_at__gte=since)
    if until is not None:
        qs = qs.filter(pulled_at__lt=until)
    if team_lead_id is not None:
        qs = qs.filter(team_lead_id=team_lead_id)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    keys = {
        "team_lead": ["team_lead_id", "team_lead__username"],
        "team": ["team_id", "team__code"],
        "all": [],
    }[by]
    rows = (
        qs.annotate(p=_trunc(period))
        .values(*keys, "p")
        .annotate(reviewed=Count("id"), invalid=Count("id", filter=Q(verdict="invalid")))
        .order_by("p", *keys)
    )
    out = []
    for r in rows:
        start = r["p"].date() if isinstance(r["p"], dt.datetime) else r["p"]
        rate = rules.bad_andon_rate(r["reviewed"], r["invalid"])
        key_id = r[keys[0]] if keys else None
        key = (r[keys[1]] or "") if keys else ""
        out.append(
            RateRow(
                key_id,
                key,
                rules.period_label(start, period),
                start,
                r["reviewed"],
                r["invalid"],
                rate,
                rules.status(rate, target),
            )
        )
    return out


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
    andons = list(
        opened.select_related("product", "reason", "opened_by", "team_lead", "review").order_by(
            "opened_at", "id"
        )
    )
    first_contact = dict(
        AndonEvidence.objects.filter(andon_id__in=[a.pk for a in andons])
        .values("andon_id")
        .annotate(first=Min("contact__created_at"))
        .values_list("andon_id", "first")
    )
    lines = []
    for a in andons:
        review = getattr(a, "review", None)
        lines.append(
            PullLine(
                a,
                review.verdict if review else "",
                review.root_cause if review else "",
                _hours(first_contact.get(a.pk), a.opened_at),
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
        pull_count=len(lines),
        week=week,
        trend=trend,
        causes=root_causes(since=since, until=until, team_lead_id=lead_id),
        open_actions=corrective_actions(open_only=True, owner_id=lead_id),
        recovery=recovery_cost(since=since, until=until, team_id=team_id),
        contain_median_hours=rules.median_hours(
            dt.timedelta(hours=p.contain_hours) for p in lines if p.contain_hours is not None
        ),
        relist_median_hours=rules.median_hours(
            dt.timedelta(hours=p.relist_hours) for p in lines if p.relist_hours is not None
        ),
        leads=[]
        if lead_id
        else bad_andon_rate(period="week", by="team_lead", since=since, until=until, target=target),
    )
