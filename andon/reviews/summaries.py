"""The bad-andon rate's daily summary (DailyReviewTally): reviewed and invalid pulls per day
of the pull (service time zone), team lead and team at the time of the pull.

Kept current in the writing transaction: every write of PullReview calls `refresh_days` with
the days it touched (a review, a corrected verdict, the history import, the demo), which
recounts those days from PullReview and replaces their rows. A recount of a day reads one
day of reviews through the (pulled_at, verdict) index, so it costs the same whether the
review is on time or late, and a replayed import that changes nothing leaves equal rows.
`rebuild` (command `andon rebuild_summaries`) recounts everything from scratch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import DailyReviewTally, PullReview


def local_day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at, timezone.get_current_timezone()).date()


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), timezone.get_current_timezone())


def _counted(qs: QuerySet) -> list[dict[str, Any]]:
    tz = timezone.get_current_timezone()
    return list(
        qs.annotate(d=TruncDate("pulled_at", tzinfo=tz))
        .values("d", "team_lead_id", "team_id")
        .annotate(reviewed=Count("id"), invalid=Count("id", filter=Q(verdict="invalid")))
        .order_by()
    )


def _insert(rows: list[dict[str, Any]]) -> int:
    DailyReviewTally.objects.bulk_create(
        [
            DailyReviewTally(
                day=r["d"],
                team_lead_id=r["team_lead_id"],
                team_id=r["team_id"],
                reviewed=r["reviewed"],
                invalid=r["invalid"],
            )
            for r in rows
        ],
        batch_size=1000,
    )
    return len(rows)


def refresh_days(days: Iterable[dt.date]) -> None:
    """Recount the given days of the pull from PullReview (in the caller's transaction)."""
    wanted = sorted(set(days))
    if not wanted:
        return
    # Contiguous runs of days, so a history import of months is a few range scans.
    runs: list[list[dt.date]] = [[wanted[0]]]
    for d in wanted[1:]:
        if d - runs[-1][-1] == dt.timedelta(days=1):
            runs[-1].append(d)
        else:
            runs.append([d])
    with transaction.atomic():
        for run in runs:
            first, last = run[0], run[-1]
            DailyReviewTally.objects.filter(day__gte=first, day__lte=last).delete()
            since, until = day_start(first), day_start(last + dt.timedelta(days=1))
            _insert(_counted(PullReview.objects.filter(pulled_at__gte=since, pulled_at__lt=until)))


def refresh_pulled(pulled_at: Iterable[dt.datetime]) -> None:
    """Recount the days of these pull times (the days the written reviews count on)."""
    refresh_days(local_day(p) for p in pulled_at)


def rebuild() -> int:
    """Every tally recounted from scratch; the number of rows written."""
    with transaction.atomic():
        DailyReviewTally.objects.all().delete()
        return _insert(_counted(PullReview.objects.all()))


def recount() -> list[tuple[dt.date, int | None, int | None, int, int]]:
    """What the tallies should hold, recounted from PullReview (for tests and checks)."""
    return sorted(
        (r["d"], r["team_lead_id"], r["team_id"], r["reviewed"], r["invalid"])
        for r in _counted(PullReview.objects.all())
    )


def stored() -> list[tuple[dt.date, int | None, int | None, int, int]]:
    """The tallies as stored, merged per (day, lead, team) and without empty rows."""
    merged: dict[tuple[dt.date, int | None, int | None], list[int]] = {}
    for t in DailyReviewTally.objects.all():
        m = merged.setdefault((t.day, t.team_lead_id, t.team_id), [0, 0])
        m[0] += t.reviewed
        m[1] += t.invalid
    return sorted((k[0], k[1], k[2], v[0], v[1]) for k, v in merged.items() if v[0])
