"""What the flywheel's summaries count (summaries.py): each family's base rows, the field
whose day a row counts on, the path to its team, and its figures as (count, sum) pairs.
Additive figures are summed per day; the distinct counts per week and month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from andon.contacts.models import Contact
from andon.detection.models import Problem, ProblemState
from andon.holds.models import Hold
from andon.holds.scopes import scope_line_pairs
from andon.incentives.models import BonusCredit
from andon.orders.models import Order
from andon.pulls.models import Andon, CordPull
from andon.recovery.models import RecoveryGiven
from andon.reviews.models import CorrectiveAction, PullReview
from andon.reviews.rules import ActionKind
from andon.workorders.models import WorkOrder

from . import rules
from .families import duration, fixed_before, scope_line_value


@dataclass(frozen=True)
class Source:
    """One family's base rows: where its day and team come from and what it sums. Each
    figure is (count expression, sum expression or None)."""

    name: str
    qs: Callable[[], QuerySet]
    at: str
    team: str | None  # None: the organisation's figure only (orders, problems)
    figures: dict[str, tuple[Any, Any]]
    date_field: bool = False
    dim: str | None = None


def _andons() -> QuerySet:
    return Andon.objects.annotate(repeat=fixed_before())


def _problems() -> QuerySet:
    return Problem.objects.exclude(state=ProblemState.MERGED).annotate(
        pulled=Exists(Andon.objects.filter(problem_id=OuterRef("pk")))
    )


def _actions() -> QuerySet:
    tz = timezone.get_current_timezone()
    return CorrectiveAction.objects.filter(withdrawn_at=None).annotate(
        done_on=TruncDate("done_at", tzinfo=tz)
    )


def _hold_value() -> ExpressionWrapper:
    return ExpressionWrapper(
        F("quantity") * Coalesce(F("stock_level__product__price"), F("order_line__unit_price")),
        output_field=DecimalField(max_digits=18, decimal_places=2),
    )


def _n(expr: Any) -> tuple[Any, None]:
    return (expr, None)


ADDITIVE: list[Source] = [
    Source(
        "andons",
        _andons,
        "opened_at",
        "team_id",
        {
            "pulls": _n(Count("id")),
            "contain": (
                Count("first_report_at"),
                Sum(duration("opened_at", "first_report_at")),
            ),
            "relist": (Count("closed_at"), Sum(duration("closed_at", "opened_at"))),
            "repeats": _n(Count("id", filter=Q(repeat=True))),
        },
    ),
    Source(
        "problems",
        _problems,
        "created_at",
        None,
        {"problems": _n(Count("id")), "pulled": _n(Count("id", filter=Q(pulled=True)))},
    ),
    Source(
        "contacts",
        Contact.objects.all,
        "created_at",
        "agent__profile__team_id",
        {
            "contacts": _n(Count("id")),
            "handling": (Count("handling_seconds"), Sum("handling_seconds")),
        },
    ),
    Source(
        "recovery",
        RecoveryGiven.objects.all,
        "given_at",
        "team_id",
        {
            "given": _n(Count("id")),
            "within": _n(Count("id", filter=Q(above_guide=False))),
            "cost": (Count("cost"), Sum("cost")),
        },
    ),
    Source(
        "reviews",
        PullReview.objects.all,
        "pulled_at",
        "team_id",
        {
            "reviewed": _n(Count("id")),
            "reviews_on_time": _n(
                Count(
                    "id",
                    filter=Q(
                        reviewed_at__lte=F("pulled_at") + dt.timedelta(days=rules.REVIEW_DUE_DAYS)
                    ),
                )
            ),
        },
    ),
    Source(
        "actions_due",
        _actions,
        "due_on",
        "review__team_id",
        {
            "due": _n(Count("id")),
            "actions_on_time": _n(Count("id", filter=Q(done_on__lte=F("due_on")))),
        },
        date_field=True,
    ),
    Source(
        "actions_done",
        _actions,
        "done_at",
        "review__team_id",
        {
            "training": _n(Count("id", filter=Q(kind=ActionKind.TRAINING))),
            "done": _n(Count("id")),
        },
    ),
    Source(
        "bonuses",
        BonusCredit.objects.all,
        "credited_at",
        "agent__profile__team_id",
        {"paid": (Count("amount"), Sum("amount"))},
    ),
    Source("orders", Order.objects.all, "placed_at", None, {"orders": _n(Count("id"))}),
    Source(
        "holds",
        Hold.objects.all,
        "placed_at",
        "andon__team_id",
        {
            "units": (Count("quantity"), Sum("quantity")),
            "gmv": (Count("id"), Sum(_hold_value())),
        },
    ),
    # The packed lines a pending scope holds, as the holds its materialization would write
    # (same day, team, units and price): a pull's lines are counted without being written
    # out one by one (holds.scopes), and move to "holds" when a department's decision writes
    # them, on the same day.
    Source(
        "pending_holds",
        scope_line_pairs,
        "placed_at",
        "andon__team_id",
        {
            "units": (Count("line__quantity"), Sum("line__quantity")),
            "gmv": (Count("line__id"), Sum(scope_line_value())),
        },
    ),
    Source(
        "work_orders",
        WorkOrder.objects.all,
        "created_at",
        "andon__team_id",
        {"work_orders": _n(Count("id"))},
        dim="department_id",
    ),
    Source(
        "sla",
        lambda: WorkOrder.objects.exclude(resolved_at=None),
        "due_at",
        "andon__team_id",
        {
            "resolved": _n(Count("id")),
            "met": _n(Count("id", filter=Q(resolved_at__lte=F("due_at")))),
        },
    ),
]

DISTINCT: list[Source] = [
    Source(
        "contacts",
        Contact.objects.all,
        "created_at",
        "agent__profile__team_id",
        {
            "customers": _n(Count("customer_id", distinct=True)),
            "agents": _n(Count("agent_id", distinct=True)),
        },
    ),
    Source(
        "pullers",
        CordPull.objects.all,
        "pulled_at",
        "agent__profile__team_id",
        {"pullers": _n(Count("agent_id", distinct=True))},
    ),
    Source(
        "andons",
        Andon.objects.all,
        "opened_at",
        "team_id",
        {"products": _n(Count("product_id", distinct=True))},
    ),
]

# Figures that belong to the organisation: the team page reads the organisation's rows.
ORG_KEYS = frozenset(k for s in ADDITIVE if s.team is None for k in s.figures)
