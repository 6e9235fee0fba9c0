"""Reads of the flywheel dashboard: one GROUP BY per family of figures over the trend's
periods, the period truncated in SQL in the service's time zone. The number of queries is
fixed (it never grows with the data or the number of periods); the arithmetic is rules.py's.

A team view filters every family that knows a team (the puller's team at the time of the
pull, the agent's team for contacts and bonuses); orders, detected problems and holds of
the organisation are organisation-wide figures and say so (`scope`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
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
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth, TruncWeek
from django.utils import timezone

from andon.contacts.models import Contact
from andon.detection.models import Problem, ProblemState
from andon.holds.models import Hold
from andon.incentives.models import BonusCredit
from andon.orders.models import Order
from andon.pulls.models import Andon, AndonEvidence, CordPull
from andon.recovery.models import RecoveryGiven
from andon.reviews.models import CorrectiveAction, PullReview
from andon.reviews.rules import ActionKind
from andon.reviews.selectors import bad_andon_rate, review_policy
from andon.workorders.models import WorkOrder

from . import rules
from .models import FigureTarget
from .rules import Element, ElementFigures, Figure

MEMBERSHIP_BUILT = False


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


def _grouped(
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


def _series(rows: dict[dt.date, dict[str, Any]], w: Window, fn: Any) -> list[rules.Number]:
    """One value per period of the window; a period without rows gets fn({}) (usually 0 or
    None: no data is not a zero rate)."""
    return [fn(rows.get(s, {})) for s in w.starts]


def _team(qs: QuerySet, path: str, team_id: int | None) -> QuerySet:
    return qs if team_id is None else qs.filter(**{path: team_id})


def _duration(a: str, b: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(a) - F(b), output_field=DurationField())


def figure_targets() -> dict[str, Decimal]:
    return dict(FigureTarget.objects.values_list("key", "value"))


# --- the families ----------------------------------------------------------------------------


def _andon_rows(w: Window, team_id: int | None) -> dict[dt.date, dict[str, Any]]:
    first_report = Subquery(
        AndonEvidence.objects.filter(andon_id=OuterRef("pk"))
        .order_by("contact__created_at")
        .values("contact__created_at")[:1]
    )
    fixed_before = Andon.objects.filter(
        product_id=OuterRef("product_id"), closed_at__lt=OuterRef("opened_at")
    )
    qs = _team(Andon.objects.all(), "team_id", team_id).annotate(
        first_report=first_report, repeat=Exists(fixed_before)
    )
    return _grouped(
        qs,
        "opened_at",
        w,
        pulls=Count("id"),
        products=Count("product_id", distinct=True),
        contain=Avg(_duration("opened_at", "first_report")),
        relist=Avg(_duration("closed_at", "opened_at")),
        repeats=Count("id", filter=Q(repeat=True)),
    )


def _problem_rows(w: Window) -> dict[dt.date, dict[str, Any]]:
    qs = Problem.objects.exclude(state=ProblemState.MERGED).annotate(
        pulled=Exists(Andon.objects.filter(problem_id=OuterRef("pk")))
    )
    return _grouped(
        qs, "created_at", w, problems=Count("id"), pulled=Count("id", filter=Q(pulled=True))
    )


def _contact_rows(w: Window, team_id: int | None) -> dict[dt.date, dict[str, Any]]:
    # A repeat contact is a customer's second or later contact in the period: contacts minus
    # distinct customers. (Testing each contact for an earlier one of its customer cost 6x
    # the whole family at a million contacts; see bench/RESULTS-flywheel.md.)
    qs = _team(Contact.objects.all(), "agent__profile__team_id", team_id)
    return _grouped(
        qs,
        "created_at",
        w,
        contacts=Count("id"),
        customers=Count("customer_id", distinct=True),
        agents=Count("agent_id", distinct=True),
        handling=Avg("handling_seconds"),
    )


def _puller_rows(w: Window, team_id: int | None) -> dict[dt.date, dict[str, Any]]:
    qs = _team(CordPull.objects.all(), "agent__profile__team_id", team_id)
    return _grouped(qs, "pulled_at", w, pullers=Count("agent_id", distinct=True))


def _recovery_rows(w: Window, team_id: int | None) -> dict[dt.date, dict[str, Any]]:
    qs = _team(RecoveryGiven.objects.all(), "team_id", team_id)
    return _grouped(
        qs,
        "given_at",
        w,
        given=Count("id"),
        within=Count("id", filter=Q(above_guide=False)),
        cost=Sum("cost"),
    )


def _review_rows(w: Window, team_id: int | None) -> dict[dt.date, dict[str, Any]]:
    qs = _team(PullReview.objects.all(), "team_id", team_id)
    due = F("pulled_at") + dt.timedelta(days=rules.REVIEW_DUE_DAYS)
    return _grouped(
        qs,
        "pulled_at",
        w,
        reviewed=Count("id"),
        on_time=Count("id", filter=Q(reviewed_at__lte=due)),
    )


def _action_due_rows(w: Window, team_id: int | None) -> dict[dt.date, dict[str, Any]]:
    qs = _team(CorrectiveAction.objects.filter(withdrawn_at=None), "review__team_id", team_id)
    qs = qs.annotate(done_on=TruncDate("done_at", tzinfo=timezone.get_current_timezone()))
    return _grouped(
        qs,
        "due_on",
        w,
        date_field=True,
        due=Count("id"),
        on_time=Count("id", filter=Q(done_on__lte=F("due_on"))),
    )


def _action_done_rows(w: Window, team_id: int | None) -> dict[dt.date, dict[str, Any]]:
    qs = _team(CorrectiveAction.objects.filter(withdrawn_at=None), "review__team_id", team_id)
    return _grouped(
        qs, "done_at", w, training=Count("id", filter=Q(kind=ActionKind.TRAINING)), done=Count("id")
    )


def _bonus_rows(w: Window, team_id: int | None) -> dict[dt.date, dict[str, Any]]:
    qs = _team(BonusCredit.objects.all(), "agent__profile__team_id", team_id)
    return _grouped(qs, "credited_at", w, paid=Sum("amount"))


def _order_rows(w: Window) -> dict[dt.date, dict[str, Any]]:
    return _grouped(Order.objects.all(), "placed_at", w, orders=Count("id"))


def _hold_rows(w: Window, team_id: int | None) -> dict[dt.date, dict[str, Any]]:
    value = ExpressionWrapper(
        F("quantity") * Coalesce(F("stock_level__product__price"), F("order_line__unit_price")),
        output_field=DecimalField(max_digits=18, decimal_places=2),
    )
    qs = _team(Hold.objects.all(), "andon__team_id", team_id)
    return _grouped(qs, "placed_at", w, units=Sum("quantity"), gmv=Sum(value))


def _work_order_rows(w: Window, team_id: int | None) -> list[dict[str, Any]]:
    """Work orders per department and period of creation (where the causes lie)."""
    qs = _team(WorkOrder.objects.all(), "andon__team_id", team_id).filter(
        created_at__gte=w.since, created_at__lt=w.until
    )
    return list(
        qs.annotate(p=trunc("created_at", w.period))
        .values("p", "department__code")
        .annotate(n=Count("id"))
        .order_by()
    )


def _sla_rows(w: Window, team_id: int | None) -> dict[dt.date, dict[str, Any]]:
    qs = _team(WorkOrder.objects.exclude(resolved_at=None), "andon__team_id", team_id)
    return _grouped(
        qs,
        "due_at",
        w,
        resolved=Count("id"),
        met=Count("id", filter=Q(resolved_at__lte=F("due_at"))),
    )


# --- the dashboard ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    window: Window
    team_id: int | None
    elements: list[ElementFigures]

    @property
    def period(self) -> str:
        return self.window.period

    def figure(self, key: str) -> Figure:
        return next(f for e in self.elements for f in e.figures if f.key == key)


def _g(name: str, default: Any = 0) -> Any:
    return lambda r: r.get(name) if r.get(name) is not None else default


def dashboard(
    *, period: str = "week", team_id: int | None = None, today: dt.date | None = None
) -> Dashboard:
    """Every element's figures over the window (a fixed number of queries)."""
    w = window(period, today=today)
    targets = figure_targets()
    policy = review_policy()
    andons = _andon_rows(w, team_id)
    problems = _problem_rows(w)
    contacts = _contact_rows(w, team_id)
    pullers = _puller_rows(w, team_id)
    recovery = _recovery_rows(w, team_id)
    reviews = _review_rows(w, team_id)
    rate = {
        r.period_start: r.rate
        for r in bad_andon_rate(
            period=period,
            by="team" if team_id else "all",
            since=w.since,
            until=w.until,
            team_id=team_id,
            target=policy.target_rate,
        )
    }
    due = _action_due_rows(w, team_id)
    done = _action_done_rows(w, team_id)
    bonuses = _bonus_rows(w, team_id)
    orders = _order_rows(w)
    holds = _hold_rows(w, team_id)
    work_orders = _work_order_rows(w, team_id)
    sla = _sla_rows(w, team_id)

    def t(key: str) -> Decimal | None:
        return targets.get(key)

    def f(key: str, unit: rules.Unit, trend: list[rules.Number], **kw: Any) -> Figure:
        return Figure(key=key, unit=unit, trend=trend, target=kw.pop("target", t(key)), **kw)

    order_counts: list[int] = [orders.get(s, {}).get("orders", 0) for s in w.starts]
    departments = sorted({r["department__code"] for r in work_orders})
    by_department = {
        d: [
            sum(r["n"] for r in work_orders if r["department__code"] == d and day_of(r["p"]) == s)
            for s in w.starts
        ]
        for d in departments
    }
    org = "organisation"
    elements = [
        ElementFigures(
            Element.TOOLS,
            [
                f("pulls", "count", _series(andons, w, _g("pulls"))),
                f(
                    "contain_hours",
                    "hours",
                    _series(andons, w, lambda r: rules.hours(r.get("contain"))),
                    better="down",
                ),
                f(
                    "relist_hours",
                    "hours",
                    _series(andons, w, lambda r: rules.hours(r.get("relist"))),
                    better="down",
                ),
                f(
                    "problems_pulled",
                    "share",
                    _series(problems, w, lambda r: rules.share(r.get("pulled"), r.get("problems"))),
                    scope=org,
                ),
            ],
        ),
        ElementFigures(
            Element.RULES,
            [
                f(
                    "recovery_within_guide",
                    "share",
                    _series(recovery, w, lambda r: rules.share(r.get("within"), r.get("given"))),
                ),
                f(
                    "bad_andon_rate",
                    "share",
                    [rate.get(s) for s in w.starts],
                    better="down",
                    target=policy.target_rate,
                ),
                f(
                    "reviews_on_time",
                    "share",
                    _series(reviews, w, lambda r: rules.share(r.get("on_time"), r.get("reviewed"))),
                ),
            ],
        ),
        ElementFigures(
            Element.CULTURE,
            [
                f(
                    "agents_pulling",
                    "share",
                    [
                        rules.share(
                            pullers.get(s, {}).get("pullers"), contacts.get(s, {}).get("agents")
                        )
                        for s in w.starts
                    ],
                ),
                f(
                    "bonuses_paid",
                    "money",
                    _series(bonuses, w, lambda r: rules.money(r.get("paid"))),
                    better="none",
                ),
                f(
                    "actions_on_time",
                    "share",
                    _series(due, w, lambda r: rules.share(r.get("on_time"), r.get("due"))),
                ),
            ],
        ),
        ElementFigures(
            Element.STRATEGY,
            [
                f(
                    "complaints_per_1000_orders",
                    "per_1000",
                    [
                        rules.per_thousand(contacts.get(s, {}).get("contacts"), n)
                        for s, n in zip(w.starts, order_counts, strict=True)
                    ],
                    better="down",
                ),
                f(
                    "repeat_contact_rate",
                    "share",
                    _series(
                        contacts,
                        w,
                        lambda r: rules.share(
                            rules.repeats(r.get("contacts"), r.get("customers")), r.get("contacts")
                        ),
                    ),
                    better="down",
                ),
                f(
                    "products_suppressed",
                    "count",
                    _series(andons, w, _g("products")),
                    better="none",
                ),
                f(
                    "gmv_protected",
                    "money",
                    _series(holds, w, lambda r: rules.money(r.get("gmv"))),
                    better="none",
                ),
                f(
                    "recovery_cost_per_order",
                    "money",
                    [
                        rules.per_order(recovery.get(s, {}).get("cost"), n)
                        for s, n in zip(w.starts, order_counts, strict=True)
                    ],
                    better="down",
                ),
            ],
        ),
        ElementFigures(
            Element.TALENT,
            [
                f("training_actions_done", "count", _series(done, w, _g("training"))),
                f(
                    "minutes_per_contact",
                    "minutes",
                    _series(contacts, w, lambda r: rules.minutes(r.get("handling"))),
                    better="down",
                ),
            ],
        ),
        ElementFigures(
            Element.PROCESS,
            [
                f(
                    "work_orders_by_department",
                    "count",
                    [sum(v[i] for v in by_department.values()) for i in range(len(w.starts))],
                    better="none",
                    series=by_department,
                ),
                f(
                    "repeat_problems_after_fix",
                    "count",
                    _series(andons, w, _g("repeats")),
                    better="down",
                ),
                f(
                    "work_order_sla_met",
                    "share",
                    _series(sla, w, lambda r: rules.share(r.get("met"), r.get("resolved"))),
                ),
            ],
        ),
        ElementFigures(Element.MEMBERSHIP, [], hidden=not MEMBERSHIP_BUILT),
    ]
    return Dashboard(w, team_id, elements)


def figure_keys(d: Dashboard) -> Iterable[str]:
    return (f.key for e in d.elements for f in e.figures)


# --- the rows behind a figure ----------------------------------------------------------------

ANDON_FIGURES = {
    "pulls",
    "contain_hours",
    "relist_hours",
    "products_suppressed",
    "gmv_protected",
    "repeat_problems_after_fix",
}
WORK_ORDER_FIGURES = {"work_orders_by_department", "work_order_sla_met"}


def andons_in(
    *, since: dt.datetime, until: dt.datetime, team_id: int | None = None, limit: int = 500
) -> list[Andon]:
    """The pulls of a period behind the tools figures, with first report and repeat mark."""
    first_report = Subquery(
        AndonEvidence.objects.filter(andon_id=OuterRef("pk"))
        .order_by("contact__created_at")
        .values("contact__created_at")[:1]
    )
    fixed_before = Andon.objects.filter(
        product_id=OuterRef("product_id"), closed_at__lt=OuterRef("opened_at")
    )
    qs = _team(Andon.objects.all(), "team_id", team_id).filter(
        opened_at__gte=since, opened_at__lt=until
    )
    return list(
        qs.annotate(first_report=first_report, repeat=Exists(fixed_before))
        .select_related("product", "reason", "opened_by", "team")
        .order_by("opened_at", "id")[:limit]
    )


def work_orders_in(
    *, since: dt.datetime, until: dt.datetime, team_id: int | None = None, limit: int = 500
) -> list[WorkOrder]:
    qs = _team(WorkOrder.objects.all(), "andon__team_id", team_id).filter(
        created_at__gte=since, created_at__lt=until
    )
    return list(
        qs.select_related("department", "andon__product", "resolved_by").order_by(
            "created_at", "id"
        )[:limit]
    )
