"""Reads of the flywheel dashboard: one GROUP BY per family of figures over the trend's
periods, the period truncated in SQL in the service's time zone. The number of queries is
fixed (it never grows with the data or the number of periods); the arithmetic is rules.py's.

A team view filters every family that knows a team (the puller's team at the time of the
pull, the agent's team for contacts and bonuses); orders, detected problems and memberships
belong to the organisation, and their figures say so (`scope`). The queries live in families.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, Sum

from andon.membership.rules import StepTally
from andon.people.models import Department
from andon.pulls.models import Andon
from andon.reviews.selectors import bad_andon_rate, review_policy
from andon.workorders.models import WorkOrder

from . import families as fam
from . import rules, summaries
from .families import Window, window
from .models import FigureTarget, FlywheelTally
from .rules import Element, ElementFigures, Figure
from .tally_sources import ORG_KEYS


def figure_targets() -> dict[str, Decimal]:
    return dict(FigureTarget.objects.values_list("key", "value"))


# --- the dashboard ---------------------------------------------------------------------------

MEANS = {"contain", "relist", "handling"}  # stored as (count, sum): the mean is sum / count
SUMS = {"cost", "paid", "gmv", "units"}


def _tally_value(key: str, n: int, total: Decimal | None) -> Any:
    if key in MEANS:
        if not n or total is None:
            return None
        mean = total / n
        return dt.timedelta(seconds=float(mean)) if key != "handling" else mean
    if key in SUMS:
        return int(total) if key == "units" and total is not None else total
    return n


def tallied(
    w: Window, team_id: int | None
) -> tuple[dict[dt.date, dict[str, Any]], list[dict[str, Any]]]:
    """Every summarised figure per period of the window (summaries.py), and the work orders
    per department and period: the day rows summed per period, the distinct counts read as
    stored per period. A team reads its own rows and the organisation's figures that know no
    team (orders, problems)."""
    scope = (
        Q(org=True)
        if team_id is None
        else Q(org=False, team_id=team_id) | Q(org=True, key__in=ORG_KEYS)
    )
    end = rules.period_end(w.starts[-1], w.period)
    flat: dict[dt.date, dict[str, Any]] = {}
    per_department: list[dict[str, Any]] = []
    days = (
        FlywheelTally.objects.filter(
            scope, grain=summaries.DAY, start__gte=w.starts[0], start__lt=end
        )
        .annotate(p=fam.trunc("start", w.period, date_field=True))
        .values("p", "key", "dim")
        .annotate(sn=Sum("n"), st=Sum("total"))
        .order_by()
    )
    rows: list[dict[str, Any]] = list(days)  # type: ignore[arg-type]  # values() rows
    for row in rows:
        p = fam.day_of(row["p"])
        if row["key"] == "work_orders":
            per_department.append({"p": p, "dim": row["dim"], "n": row["sn"]})
        else:
            flat.setdefault(p, {})[row["key"]] = _tally_value(row["key"], row["sn"], row["st"])
    distinct = FlywheelTally.objects.filter(scope, grain=w.period, start__in=w.starts)
    for start, key, n in distinct.values_list("start", "key", "n"):
        flat.setdefault(fam.day_of(start), {})[key] = n
    codes = (
        dict(
            Department.objects.filter(pk__in={r["dim"] for r in per_department}).values_list(
                "pk", "code"
            )
        )
        if per_department
        else {}
    )
    for r in per_department:
        r["department__code"] = codes.get(r["dim"], "")
    return flat, per_department


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


def _rate(value: float | None) -> Decimal | None:
    """Membership's rate (a float to four places) as the flywheel's Decimal share."""
    return None if value is None else Decimal(str(value)).quantize(rules.FOUR)


def dashboard(
    *, period: str = "week", team_id: int | None = None, today: dt.date | None = None
) -> Dashboard:
    """Every element's figures over the window (a fixed number of queries)."""
    w = window(period, today=today)
    targets = figure_targets()
    policy = review_policy()
    # Every family but membership from the summaries (two queries whatever the data).
    andons, work_orders = tallied(w, team_id)
    problems = contacts = pullers = recovery = reviews = andons
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
    due = done = bonuses = orders = holds = sla = andons
    enrolments = fam.enrolment_rows(w)
    steps = fam.membership_step_rows(w)

    def t(key: str) -> Decimal | None:
        return targets.get(key)

    def f(key: str, unit: rules.Unit, trend: list[rules.Number], **kw: Any) -> Figure:
        return Figure(key=key, unit=unit, trend=trend, target=kw.pop("target", t(key)), **kw)

    order_counts: list[int] = [orders.get(s, {}).get("orders", 0) for s in w.starts]
    departments = sorted({r["department__code"] for r in work_orders})
    by_department = {
        d: [
            sum(r["n"] for r in work_orders if r["department__code"] == d and r["p"] == s)
            for s in w.starts
        ]
        for d in departments
    }
    org = "organisation"
    elements = [
        ElementFigures(
            Element.TOOLS,
            [
                f("pulls", "count", fam.series(andons, w, _g("pulls"))),
                f(
                    "contain_hours",
                    "hours",
                    fam.series(andons, w, lambda r: rules.hours(r.get("contain"))),
                    better="down",
                ),
                f(
                    "relist_hours",
                    "hours",
                    fam.series(andons, w, lambda r: rules.hours(r.get("relist"))),
                    better="down",
                ),
                f(
                    "problems_pulled",
                    "share",
                    fam.series(
                        problems, w, lambda r: rules.share(r.get("pulled"), r.get("problems"))
                    ),
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
                    fam.series(recovery, w, lambda r: rules.share(r.get("within"), r.get("given"))),
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
                    fam.series(
                        reviews,
                        w,
                        lambda r: rules.share(r.get("reviews_on_time"), r.get("reviewed")),
                    ),
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
                    fam.series(bonuses, w, lambda r: rules.money(r.get("paid"))),
                    better="none",
                ),
                f(
                    "actions_on_time",
                    "share",
                    fam.series(
                        due, w, lambda r: rules.share(r.get("actions_on_time"), r.get("due"))
                    ),
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
                    fam.series(
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
                    fam.series(andons, w, _g("products")),
                    better="none",
                ),
                f(
                    "gmv_protected",
                    "money",
                    fam.series(holds, w, lambda r: rules.money(r.get("gmv"))),
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
                f("training_actions_done", "count", fam.series(done, w, _g("training"))),
                f(
                    "minutes_per_contact",
                    "minutes",
                    fam.series(contacts, w, lambda r: rules.minutes(r.get("handling"))),
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
                    fam.series(andons, w, _g("repeats")),
                    better="down",
                ),
                f(
                    "work_order_sla_met",
                    "share",
                    fam.series(sla, w, lambda r: rules.share(r.get("met"), r.get("resolved"))),
                ),
            ],
        ),
        ElementFigures(
            Element.MEMBERSHIP,
            [
                f("enrolments", "count", fam.series(enrolments, w, _g("enrolments")), scope=org),
                f(
                    "trial_conversion",
                    "share",
                    [_rate(steps.get(s, StepTally()).trial_conversion) for s in w.starts],
                    scope=org,
                ),
                f(
                    "renewal_rate",
                    "share",
                    [_rate(steps.get(s, StepTally()).renewal_rate) for s in w.starts],
                    scope=org,
                ),
            ],
        ),
    ]
    return Dashboard(w, team_id, elements)


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
    qs = fam.team_filter(Andon.objects.all(), "team_id", team_id).filter(
        opened_at__gte=since, opened_at__lt=until
    )
    return list(
        qs.annotate(first_report=F("first_report_at"), repeat=fam.fixed_before())
        .select_related("product", "reason", "opened_by", "team")
        .order_by("opened_at", "id")[:limit]
    )


def work_orders_in(
    *, since: dt.datetime, until: dt.datetime, team_id: int | None = None, limit: int = 500
) -> list[WorkOrder]:
    qs = fam.team_filter(WorkOrder.objects.all(), "andon__team_id", team_id).filter(
        created_at__gte=since, created_at__lt=until
    )
    return list(
        qs.select_related("department", "andon__product", "resolved_by").order_by(
            "created_at", "id"
        )[:limit]
    )
