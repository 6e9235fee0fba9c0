"""The families of the flywheel's figures: one GROUP BY each over the window's periods, the
period truncated in SQL in the service's time zone, rows of the period filtered by team where
the data knows one. Reads only; the arithmetic is rules.py's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth, TruncWeek
from django.utils import timezone

from andon.contacts.models import Contact
from andon.detection.models import Problem, ProblemState
from andon.holds.models import Hold
from andon.holds.scopes import scope_line_pairs
from andon.incentives.models import BonusCredit
from andon.membership.models import Membership, MembershipChange
from andon.membership.rules import StepTally, tally_steps
from andon.orders.models import Order
from andon.pulls.models import Andon, CordPull
from andon.recovery.models import RecoveryGiven
from andon.reviews.models import CorrectiveAction, PullReview
from andon.reviews.rules import ActionKind
from andon.workorders.models import WorkOrder

from . import rules


def trunc(field: str, period: str, *, date_field: bool = False) -> Any:
    if date_field:
        return TruncMonth(field) if period == rules.Period.MONTH else TruncWeek(field)
    tz = timezone.get_current_timezone()
    return (
        TruncMonth(field, tzinfo=tz)
        if period == rules.Period.MONTH
        else TruncWeek(field, tzinfo=tz)
    )


def day_of(value: dt.date | dt.datetime | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):  # SQLite hands a truncated DateField back as text
        return dt.date.fromisoformat(value[:10])
    return value


def bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(start, dt.time(), tz), dt.datetime.combine(end, dt.time(), tz)


@dataclass(frozen=True)
class Window:
    period: str
    starts: list[dt.date]

    @property
    def since(self) -> dt.datetime:
        return bounds(self.starts[0], self.starts[0])[0]

    @property
    def until(self) -> dt.datetime:
        return bounds(rules.period_end(self.starts[-1], self.period), self.starts[0])[0]

    @property
    def labels(self) -> list[str]:
        return [rules.period_label(s, self.period) for s in self.starts]


def window(period: str, *, today: dt.date | None = None, n: int | None = None) -> Window:
    return Window(period, rules.periods(today or timezone.localdate(), period, n))


def grouped(
    qs: QuerySet, field: str, w: Window, *, date_field: bool = False, **aggregates: Any
) -> dict[dt.date, dict[str, Any]]:
    """One GROUP BY over the window: period start -> the aggregates."""
    if date_field:
        qs = qs.filter(
            **{
                f"{field}__gte": w.starts[0],
                f"{field}__lt": rules.period_end(w.starts[-1], w.period),
            }
        )
    else:
        qs = qs.filter(**{f"{field}__gte": w.since, f"{field}__lt": w.until})
    rows = (
        qs.annotate(p=trunc(field, w.period, date_field=date_field))
        .values("p")
        .annotate(**aggregates)
        .order_by()
    )
    return {day_of(r["p"]): r for r in rows}


def series(rows: dict[dt.date, dict[str, Any]], w: Window, fn: Any) -> list[rules.Number]:
    """One value per period of the window; a period without rows gets fn({}) (usually 0 or
    None: no data is not a zero rate)."""
    return [fn(rows.get(s, {})) for s in w.starts]


def team_filter(qs: QuerySet, path: str, team_id: int | None) -> QuerySet:
    return qs if team_id is None else qs.filter(**{path: team_id})


def duration(a: str, b: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(a) - F(b), output_field=DurationField())


# --- the families ----------------------------------------------------------------------------


def fixed_before() -> Exists:
    """The pull is a repeat: the same product had an andon closed (fixed) before it."""
    return Exists(
        Andon.objects.filter(product_id=OuterRef("product_id"), closed_at__lt=OuterRef("opened_at"))
    )


def andon_rows(w: Window, team_id: int | None) -> dict[dt.date, dict[str, Any]]:
    # Time to contain reads the first report stamped on the andon at pull time.
    qs = team_filter(Andon.objects.all(), "team_id", team_id).annotate(repeat=fixed_before())
    return grouped(
        qs,
        "opened_at",
        w,
        pulls=Count("id"),
        products=Count("product_id", distinct=True),
        contain=Avg(duration("opened_at", "first_report_at")),
        relist=Avg(duration("closed_at", "opened_at")),
        repeats=Count("id", filter=Q(repeat=True)),
    )


def problem_rows(w: Window) -> dict[dt.date, dict[str, Any]]:
    qs = Problem.objects.exclude(state=ProblemState.MERGED).annotate(
        pulled=Exists(Andon.objects.filter(problem_id=OuterRef("pk")))
    )
    return grouped(
        qs, "created_at", w, problems=Count("id"), pulled=Count("id", filter=Q(pulled=True))
    )


def contact_rows(w: Window, team_id: int | None) -> dict[dt.date, dict[str, Any]]:
    # A repeat contact is a customer's second or later contact in the period: contacts minus
    # distinct customers. (Testing each contact for an earlier one of its customer cost 6x
    # the whole family at a million contacts; see bench/RESULTS-flywheel.md.)
    qs = team_filter(Contact.objects.all(), "agent__profile__team_id", team_id)
    return grouped(
        qs,
        "created_at",
        w,
        contacts=Count("id"),
        customers=Count("customer_id", distinct=True),
        agents=Count("agent_id", distinct=True),
        handling=Avg("handling_seconds"),
    )


def puller_rows(w: Window, team_id: int | None) -> dict[dt.date, dict[str, Any]]:
    qs = team_filter(CordPull.objects.all(), "agent__profile__team_id", team_id)
    return grouped(qs, "pulled_at", w, pullers=Count("agent_id", distinct=True))


def recovery_rows(w: Window, team_id: int | None) -> dict[dt.date, dict[str, Any]]:
    qs = team_filter(RecoveryGiven.objects.all(), "team_id", team_id)
    return grouped(
        qs,
        "given_at",
        w,
        given=Count("id"),
        within=Count("id", filter=Q(above_guide=False)),
        cost=Sum("cost"),
    )


def review_rows(w: Window, team_id: int | None) -> dict[dt.date, dict[str, Any]]:
    qs = team_filter(PullReview.objects.all(), "team_id", team_id)
    due = F("pulled_at") + dt.timedelta(days=rules.REVIEW_DUE_DAYS)
    return grouped(
        qs,
        "pulled_at",
        w,
        reviewed=Count("id"),
        on_time=Count("id", filter=Q(reviewed_at__lte=due)),
    )


def action_due_rows(w: Window, team_id: int | None) -> dict[dt.date, dict[str, Any]]:
    qs = team_filter(CorrectiveAction.objects.filter(withdrawn_at=None), "review__team_id", team_id)
    qs = qs.annotate(done_on=TruncDate("done_at", tzinfo=timezone.get_current_timezone()))
    return grouped(
        qs,
        "due_on",
        w,
        date_field=True,
        due=Count("id"),
        on_time=Count("id", filter=Q(done_on__lte=F("due_on"))),
    )


def action_done_rows(w: Window, team_id: int | None) -> dict[dt.date, dict[str, Any]]:
    qs = team_filter(CorrectiveAction.objects.filter(withdrawn_at=None), "review__team_id", team_id)
    return grouped(
        qs, "done_at", w, training=Count("id", filter=Q(kind=ActionKind.TRAINING)), done=Count("id")
    )


def bonus_rows(w: Window, team_id: int | None) -> dict[dt.date, dict[str, Any]]:
    qs = team_filter(BonusCredit.objects.all(), "agent__profile__team_id", team_id)
    return grouped(qs, "credited_at", w, paid=Sum("amount"))


def order_rows(w: Window) -> dict[dt.date, dict[str, Any]]:
    return grouped(Order.objects.all(), "placed_at", w, orders=Count("id"))


def hold_rows(w: Window, team_id: int | None) -> dict[dt.date, dict[str, Any]]:
    """Units held and their GMV per period of placing: the holds written, and the packed
    lines of pending scopes as the holds a materialization would write (holds.scopes; the
    same placed_at, units and price), derived in SQL without writing. Two GROUP BYs."""
    value = ExpressionWrapper(
        F("quantity") * Coalesce(F("stock_level__product__price"), F("order_line__unit_price")),
        output_field=DecimalField(max_digits=18, decimal_places=2),
    )
    qs = team_filter(Hold.objects.all(), "andon__team_id", team_id)
    rows = grouped(qs, "placed_at", w, units=Sum("quantity"), gmv=Sum(value))
    scoped = team_filter(scope_line_pairs(), "andon__team_id", team_id)
    sums: dict[str, Any] = {"units": Sum("line__quantity"), "gmv": Sum(scope_line_value())}
    for p, r in grouped(scoped, "placed_at", w, **sums).items():
        have = rows.setdefault(p, {"p": r["p"], "units": 0, "gmv": None})
        have["units"] = (have["units"] or 0) + (r["units"] or 0)
        if r["gmv"] is not None:
            have["gmv"] = (have["gmv"] or 0) + r["gmv"]
    return rows


def scope_line_value() -> ExpressionWrapper:
    """On scope_line_pairs: what a held line would have sold for."""
    return ExpressionWrapper(
        F("line__quantity") * F("line__unit_price"),
        output_field=DecimalField(max_digits=18, decimal_places=2),
    )


def work_order_rows(w: Window, team_id: int | None) -> list[dict[str, Any]]:
    """Work orders per department and period of creation (where the causes lie)."""
    qs = team_filter(WorkOrder.objects.all(), "andon__team_id", team_id).filter(
        created_at__gte=w.since, created_at__lt=w.until
    )
    return list(
        qs.annotate(p=trunc("created_at", w.period))
        .values("p", "department__code")
        .annotate(n=Count("id"))
        .order_by()
    )


def sla_rows(w: Window, team_id: int | None) -> dict[dt.date, dict[str, Any]]:
    qs = team_filter(WorkOrder.objects.exclude(resolved_at=None), "andon__team_id", team_id)
    return grouped(
        qs,
        "due_at",
        w,
        resolved=Count("id"),
        met=Count("id", filter=Q(resolved_at__lte=F("due_at"))),
    )


# Membership belongs to the organisation (no team): enrolments by start, and the changes whose
# counting (trials decided and converted, renewals and paid expiries) is membership's own.


def enrolment_rows(w: Window) -> dict[dt.date, dict[str, Any]]:
    return grouped(Membership.objects.all(), "started_at", w, enrolments=Count("id"))


def membership_step_rows(w: Window) -> dict[dt.date, StepTally]:
    """Membership changes per period and (change, from state), tallied by membership's rules."""
    rows = (
        MembershipChange.objects.filter(at__gte=w.since, at__lt=w.until)
        .annotate(p=trunc("at", w.period))
        .values("p", "change", "from_state")
        .annotate(n=Count("id"), paid=Count("id", filter=Q(paid=True)))
        .order_by()
    )
    by_period: dict[dt.date, list[Mapping[str, Any]]] = {}
    for r in rows:
        by_period.setdefault(day_of(r["p"]), []).append(r)
    return {p: tally_steps(steps) for p, steps in by_period.items()}
