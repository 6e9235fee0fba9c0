"""The dashboard's summaries (FlywheelTally): each family's figures per day, per team and for
the organisation, so that the page sums a few thousand rows instead of grouping two years of
base rows.

What is stored. Additive figures (counts, and sums with their counts for the means: time to
contain, time to relist, handling seconds, costs, bonuses, units and GMV held) per day of
the row's own date (service time zone). Distinct counts (customers and agents of contacts,
pullers, products pulled) are not additive across days, so they are stored per week and per
month, for each team and for the organisation, and recounted whole for any period a changed
day falls in. The figures keep their meaning: the dashboard shows the same numbers as the
live GROUP BYs (families.py), which the equality test recomputes.

How they are kept current. Flywheel sits above every domain it reads, so the writers cannot
call it; instead a tick (`andon flywheel-summaries`, or the task `flywheel_summaries_task`,
every few minutes) recounts the days touched since its last run:
- rows inserted since: every source's ids above the highest id seen by the run before the
  last one, and the days those rows count on; a late review, a replayed import or a
  back-dated record lands on its own past day this way. Reading back one run more catches a
  transaction that took its ids before the last run and committed after it (ids are not
  committed in order), at the cost of recounting one run's days twice;
- rows changed in place since: andons closed, reviews given, corrective actions done or
  withdrawn, work orders resolved, contacts changed by an import (their `*_at` stamps after
  the run before the last one), and the days the row counts on (the pull's day, the due day);
- problems merged since (the audit's `problem.merged` entries): the merged problem's day;
- team changes: each agent's team is compared with the one seen last time; a moved agent's
  contacts, cord pulls and bonuses are recounted on every day they fall on;
- and the last LATE_DAYS days always, for edits in place that carry no stamp (a hold's
  quantity corrected).
A recount of a day reads that day's rows through each source's date index and replaces the
day's tallies, so it costs the same however late the change is, and a replay that changes
nothing leaves equal rows. `rebuild` (`andon flywheel-summaries --rebuild`) recounts all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import (
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    QuerySet,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from andon.contacts.models import Contact
from andon.core.models import AuditEntry
from andon.detection.models import Problem
from andon.holds.models import Hold, LineScope
from andon.holds.scopes import PENDING
from andon.incentives.models import BonusCredit
from andon.orders.models import Order, OrderLine
from andon.people.models import Profile
from andon.pulls.models import Andon, CordPull
from andon.recovery.models import RecoveryGiven
from andon.reviews.models import CorrectiveAction, PullReview
from andon.workorders.models import WorkOrder

from . import rules
from .families import day_of, trunc
from .models import FlywheelSummaryState, FlywheelTally
from .tally_sources import ADDITIVE, DISTINCT, Source

DAY = "day"
PERIODS = (rules.Period.WEEK, rules.Period.MONTH)
LATE_DAYS = 14  # recounted on every tick: edits in place without a stamp of their own
CHUNK_DAYS = 31  # a rebuild recounts a month at a time (bounded memory)

# (grain, start, org, team, key, dim) -> [n, total]
Row = tuple[str, dt.date, bool, int | None, str, int | None]
Rows = dict[Row, list[Any]]


# --- counting --------------------------------------------------------------------------------


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), timezone.get_current_timezone())


def _total(value: Any) -> Decimal | None:
    """A sum as stored: durations as seconds (to the microsecond), the rest as Decimal."""
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        return Decimal(value.days * 86400 + value.seconds) + Decimal(value.microseconds) / 10**6
    return Decimal(str(value))


def _in_range(qs: QuerySet, s: Source, first: dt.date | None, until: dt.date | None) -> QuerySet:
    if first is None or until is None:
        return qs
    if s.date_field:
        return qs.filter(**{f"{s.at}__gte": first, f"{s.at}__lt": until})
    return qs.filter(**{f"{s.at}__gte": day_start(first), f"{s.at}__lt": day_start(until)})


def _add(out: Rows, row: Row, n: int, total: Any) -> None:
    cell = out.setdefault(row, [0, None])
    cell[0] += n or 0
    if total is not None:
        cell[1] = total if cell[1] is None else cell[1] + total


def _count_days(first: dt.date | None, until: dt.date | None) -> Rows:
    """Every additive figure per day in [first, until) (everything when None), per team and
    summed for the organisation."""
    tz = timezone.get_current_timezone()
    out: Rows = {}
    for s in ADDITIVE:
        qs = _in_range(s.qs(), s, first, until)
        day = F(s.at) if s.date_field else TruncDate(s.at, tzinfo=tz)
        group = {
            "d": day,
            **({"t": F(s.team)} if s.team else {}),
            **({"k": F(s.dim)} if s.dim else {}),
        }
        aggs: dict[str, Any] = {}
        for key, (n, total) in s.figures.items():
            aggs[f"n_{key}"] = n
            if total is not None:
                aggs[f"t_{key}"] = total
        for r in qs.annotate(**group).values(*group).annotate(**aggs).order_by():
            if r["d"] is None:  # no day (an action not done yet): on no day's row
                continue
            d = day_of(r["d"])
            for key in s.figures:
                n, total = r[f"n_{key}"], _total(r.get(f"t_{key}"))
                if not n and not total:
                    continue
                if s.team:
                    _add(out, (DAY, d, False, r["t"], key, r.get("k")), n, total)
                _add(out, (DAY, d, True, None, key, r.get("k")), n, total)
    return out


def _count_periods(period: str, first: dt.date | None, until: dt.date | None) -> Rows:
    """The distinct counts per period starting in [first, until), per team and for the
    organisation (a count of its own: distinct counts do not add up)."""
    out: Rows = {}
    for s in DISTINCT:
        base = s.qs()
        if first is not None and until is not None:
            base = base.filter(
                **{f"{s.at}__gte": day_start(first), f"{s.at}__lt": day_start(until)}
            )
        aggs = {f"n_{k}": n for k, (n, _t) in s.figures.items()}
        for org in (False, True):
            team = {} if org or s.team is None else {"t": F(s.team)}
            group = {"p": trunc(s.at, period), **team}
            for r in base.annotate(**group).values(*group).annotate(**aggs).order_by():
                for key in s.figures:
                    if r[f"n_{key}"] and r["p"] is not None:
                        row = (period, day_of(r["p"]), org, r.get("t"), key, None)
                        out[row] = [r[f"n_{key}"], None]
    return out


def _write(rows: Rows) -> None:
    FlywheelTally.objects.bulk_create(
        [
            FlywheelTally(
                grain=g, start=start, org=org, team_id=team, key=key, dim=dim, n=n, total=total
            )
            for (g, start, org, team, key, dim), (n, total) in rows.items()
        ],
        batch_size=2000,
    )


# --- refreshing ------------------------------------------------------------------------------


def _runs(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Contiguous runs of days as [first, until), a month at most each."""
    out: list[tuple[dt.date, dt.date]] = []
    for d in sorted(set(days)):
        if out and d == out[-1][1] and (d - out[-1][0]).days < CHUNK_DAYS:
            out[-1] = (out[-1][0], d + dt.timedelta(days=1))
        else:
            out.append((d, d + dt.timedelta(days=1)))
    return out


def period_start(day: dt.date, period: str) -> dt.date:
    if period == rules.Period.MONTH:
        return day.replace(day=1)
    return day - dt.timedelta(days=day.weekday())


def _period_runs(starts: set[dt.date], period: str) -> list[tuple[dt.date, dt.date]]:
    """Contiguous runs of periods as [first start, end of the last)."""
    out: list[tuple[dt.date, dt.date]] = []
    for s in sorted(starts):
        if out and s == out[-1][1]:
            out[-1] = (out[-1][0], rules.period_end(s, period))
        else:
            out.append((s, rules.period_end(s, period)))
    return out


def refresh_days(days: Iterable[dt.date]) -> int:
    """Recount the given days, and the weeks and months they fall in (in the caller's
    transaction, or one of its own). Returns the number of days recounted."""
    wanted = sorted(set(days))
    if not wanted:
        return 0
    with transaction.atomic():
        for first, until in _runs(wanted):
            FlywheelTally.objects.filter(grain=DAY, start__gte=first, start__lt=until).delete()
            _write(_count_days(first, until))
        for period in PERIODS:
            for first, until in _period_runs({period_start(d, period) for d in wanted}, period):
                FlywheelTally.objects.filter(
                    grain=period, start__gte=first, start__lt=until
                ).delete()
                _write(_count_periods(period, first, until))
    return len(wanted)


def _sources() -> dict[str, QuerySet]:
    return {
        "andon": Andon.objects.all(),
        "problem": Problem.objects.all(),
        "contact": Contact.objects.all(),
        "cordpull": CordPull.objects.all(),
        "recovery": RecoveryGiven.objects.all(),
        "review": PullReview.objects.all(),
        "action": CorrectiveAction.objects.all(),
        "bonus": BonusCredit.objects.all(),
        "order": Order.objects.all(),
        "hold": Hold.objects.all(),
        "scope": LineScope.objects.all(),
        "workorder": WorkOrder.objects.all(),
    }


# The days a source row counts on (its own day fields, and a problem's day for its andon).
DAY_FIELDS: dict[str, list[str]] = {
    "andon": ["opened_at", "problem__created_at"],
    "problem": ["created_at"],
    "contact": ["created_at"],
    "cordpull": ["pulled_at"],
    "recovery": ["given_at"],
    "review": ["pulled_at"],
    "action": ["due_on", "done_at"],
    "bonus": ["credited_at"],
    "order": ["placed_at"],
    "hold": ["placed_at"],
    "scope": ["placed_at"],
    "workorder": ["created_at", "due_at"],
}
DATE_FIELDS = {"due_on"}
# Stamps of changes in place, and the days they move: (source, stamp).
STAMPS: list[tuple[str, str]] = [
    ("andon", "closed_at"),
    ("review", "reviewed_at"),
    ("action", "done_at"),
    ("action", "withdrawn_at"),
    ("workorder", "resolved_at"),
    ("contact", "changed_at"),  # an import that changed an old contact's handling time
]


def _days_of(qs: QuerySet, fields: list[str]) -> set[dt.date]:
    tz = timezone.get_current_timezone()
    out: set[dt.date] = set()
    for f in fields:
        expr = F(f) if f in DATE_FIELDS else TruncDate(f, tzinfo=tz)
        out |= {
            day_of(d)
            for d in qs.annotate(d=expr).values_list("d", flat=True).distinct().order_by()
            if d is not None
        }
    return out


def _teams() -> dict[str, int | None]:
    return {str(u): t for u, t in Profile.objects.values_list("user_id", "team_id")}


def _max_ids() -> dict[str, int]:
    return {name: qs.aggregate(m=Max("id"))["m"] or 0 for name, qs in _sources().items()}


def touched_days(state: FlywheelSummaryState, today: dt.date) -> set[dt.date]:
    """The days whose tallies may differ from their base rows since the state's run."""
    sources = _sources()
    days: set[dt.date] = set()
    for name, qs in sources.items():
        seen = int(state.ids.get("before", {}).get(name, 0))
        days |= _days_of(qs.filter(id__gt=seen), DAY_FIELDS[name])
    since = dt.datetime.fromisoformat(state.ids.get("before_at") or state.ran_at.isoformat())
    for name, stamp in STAMPS:
        changed = sources[name].filter(**{f"{stamp}__gte": since})
        days |= _days_of(changed, DAY_FIELDS[name])
    # A pending scope holds the product's packed lines as they are now: a line packed (or
    # unpacked) since, however late, changes what its pull's day holds. Asked from the few
    # pending scopes (open pulls not yet decided), each through its product's lines (indexed
    # by product), never by a scan of every order line's stamp.
    restated = OrderLine.objects.filter(
        product_id=OuterRef("product_id"), status_changed_at__gte=since
    )
    scopes = LineScope.objects.filter(PENDING).filter(Exists(restated))
    days |= _days_of(scopes, ["placed_at"])
    # A problem merged into another stops counting on the day it was opened.
    merged = AuditEntry.objects.filter(action="problem.merged", occurred_at__gte=since)
    merged_ids = [d.get("merged") for d in merged.values_list("data", flat=True)]
    days |= _days_of(Problem.objects.filter(pk__in=merged_ids), DAY_FIELDS["problem"])
    now_teams = _teams()
    moved = [int(u) for u, t in now_teams.items() if state.teams.get(u, t) != t]
    moved += [int(u) for u in state.teams if u not in now_teams]
    if moved:
        days |= _days_of(Contact.objects.filter(agent_id__in=moved), ["created_at"])
        days |= _days_of(CordPull.objects.filter(agent_id__in=moved), ["pulled_at"])
        days |= _days_of(BonusCredit.objects.filter(agent_id__in=moved), ["credited_at"])
    days |= {today - dt.timedelta(days=i) for i in range(LATE_DAYS + 1)}
    return days


def _save_state(ids: dict[str, int], teams: dict[str, int | None], at: dt.datetime) -> None:
    """The marks of this run; the previous run's become the next one's starting point."""
    state = FlywheelSummaryState.objects.order_by("pk").first()
    if state is None:
        marks = {"seen": ids, "before": ids, "before_at": at.isoformat()}
        FlywheelSummaryState.objects.create(ids=marks, teams=teams, ran_at=at)
        return
    last = state.ids.get("seen", ids)
    state.ids = {"seen": ids, "before": last, "before_at": state.ran_at.isoformat()}
    state.teams, state.ran_at = teams, at
    state.save()


def tick(*, now: dt.datetime | None = None) -> int:
    """Recount the days touched since the last run (a rebuild when there was none). Returns
    the number of days recounted."""
    now = now or timezone.now()
    with transaction.atomic():
        state = FlywheelSummaryState.objects.select_for_update().order_by("pk").first()
        if state is None:
            return rebuild(now=now)
        # The marks are taken before the counts: rows written meanwhile are seen next time.
        ids, teams = _max_ids(), _teams()
        days = touched_days(state, timezone.localtime(now).date())
        refresh_days(days)
        _save_state(ids, teams, now)
        return len(days)


def _local(v: dt.date | dt.datetime | str) -> dt.date:
    if isinstance(v, dt.datetime):
        return timezone.localtime(v).date()
    return day_of(v)


def rebuild(*, now: dt.datetime | None = None) -> int:
    """Every tally recounted from the base rows, a month at a time; the days recounted."""
    now = now or timezone.now()
    with transaction.atomic():
        ids, teams = _max_ids(), _teams()
        FlywheelTally.objects.all().delete()
        ends = [s.qs().aggregate(first=Min(s.at), last=Max(s.at)) for s in ADDITIVE]
        days = [_local(v) for e in ends for v in e.values() if v is not None]
        n = 0
        FlywheelSummaryState.objects.all().delete()  # a fresh start: marks of this run only
        if days:
            first, last = min(days), max([*days, timezone.localtime(now).date()])
            n = refresh_days(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
        _save_state(ids, teams, now)
        return n


# --- for tests and checks --------------------------------------------------------------------


def recount() -> list[tuple[Any, ...]]:
    """What the tallies should hold, recounted from the base rows in one pass each."""
    rows = _count_days(None, None)
    for period in PERIODS:
        rows.update(_count_periods(period, None, None))
    return sorted(
        ((g, s, o, t or 0, k, d or 0, n, tot) for (g, s, o, t, k, d), (n, tot) in rows.items()),
    )


def stored() -> list[tuple[Any, ...]]:
    return sorted(
        (r.grain, r.start, r.org, r.team_id or 0, r.key, r.dim or 0, r.n, r.total)
        for r in FlywheelTally.objects.all()
    )
