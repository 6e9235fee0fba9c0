"""Reads of reviews: the queue, the bad-andon rate per team lead / team / period, the drill
down to pulls and root causes, and corrective actions.

The KPI is one aggregate over `PullReview` (team lead, team and pull time are copied there
from the andon's pull-time snapshot), bucketed by the week or month of the pull in the
service's time zone. An index on (team_lead, pulled_at, verdict) serves it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from andon.pulls.models import Andon

from . import rules
from .models import CorrectiveAction, PullReview, ReviewPolicy


def review_policy() -> ReviewPolicy:
    """The configured policy, or the defaults (review all, target 2 %) when none is saved."""
    return ReviewPolicy.objects.order_by("pk").first() or ReviewPolicy()


def review_of(*, andon_id: int) -> PullReview | None:
    return (
        PullReview.objects.select_related("reviewer", "team_lead")
        .prefetch_related("actions")
        .filter(andon_id=andon_id)
        .first()
    )


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
        .prefetch_related("actions")
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
        qs = qs.filter(done_at__isnull=True)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    return list(qs.order_by("due_on", "id")[:limit])
