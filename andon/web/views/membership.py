"""The membership page: plans with their benefits, and the member figures of a month in the
product's time zone (enrolments per source, trial conversion, renewal, churn, member share
of orders and GMV, the close-the-loop figure for recovered customers, a six-month trend),
with the Prime and Costco anchors beside them. For membership managers and team leads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from andon.core.errors import NotFound
from andon.core.http import AuthenticatedRequest
from andon.membership import rules
from andon.membership.choices import MetricChoices, MilestoneStatusChoices, SourceChoices
from andon.membership.selectors import (
    TrendPoint,
    launch_get,
    launch_progress,
    launches_list,
    member_kpis,
    plans_list,
)
from andon.people import rules as people_rules
from andon.recovery.members import RecoveredMembers, recovered_members

from ..access import require

# What the talk holds up; shown beside the figures, never as targets.
PRIME_TRIAL_CONVERSION = 0.73
PRIME_RENEWAL = 0.91
COSTCO_RENEWAL = 0.929


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _month(raw: str) -> dt.date:
    """The first day of `?month=YYYY-MM`, else of the current month (product time zone)."""
    try:
        return dt.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


def trend_chart(points: list[TrendPoint]) -> dict:
    series = [
        (capfirst(_("enrolments")), "enrolments", "#0b6bcb"),
        (capfirst(_("converted to paid")), "converted", "#2f9e44"),
        (capfirst(_("renewed")), "renewed", "#7048e8"),
        (capfirst(_("expired")), "expired", "#d9480f"),
    ]
    return {
        "type": "bar",
        "data": {
            "labels": [p.month.strftime("%Y-%m") for p in points],
            "datasets": [
                {
                    "label": str(label),
                    "data": [getattr(p, key) for p in points],
                    "backgroundColor": c,
                }
                for label, key, c in series
            ],
        },
        "options": {
            "animation": False,
            "responsive": True,
            "maintainAspectRatio": False,
            "scales": {"y": {"beginAtZero": True, "ticks": {"precision": 0}}},
        },
    }


LOOP_ROWS = [
    ("enrolled", gettext_lazy("Enrolled after it")),
    ("converted", gettext_lazy("Converted a trial")),
    ("renewed", gettext_lazy("Renewed")),
    ("ordered_30", gettext_lazy("Ordered again within 30 days")),
    ("ordered_90", gettext_lazy("Ordered again within 90 days")),
]


def loop_rows(loop: RecoveredMembers) -> list[dict]:
    """The close-the-loop table: each outcome for the recovered and for their control group,
    as a count and a share of the group."""
    return [
        {
            "key": key,
            "label": label,
            "recovered": getattr(loop.recovered, key),
            "recovered_share": percent(loop.recovered.share(key)),
            "control": getattr(loop.control, key),
            "control_share": percent(loop.control.share(key)),
        }
        for key, label in LOOP_ROWS
    ]


def per_100(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


@require(people_rules.may_see_member_kpis)
def membership_index(request: AuthenticatedRequest) -> HttpResponse:
    first = _month(request.GET.get("month", ""))
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(first, dt.time(), tz)
    until = rules.add_months(since, 1)
    k = member_kpis(since=since, until=until)
    loop = recovered_members(since=since, until=until)
    sources = dict(SourceChoices.choices)
    context = {
        # Months read as 2026-02 in both languages, like the chart's axis.
        "month_label": first.strftime("%Y-%m"),
        "trend": [(p.month.strftime("%Y-%m"), p) for p in k.trend],
        "prev": rules.add_months(since, -1).date(),
        "next": timezone.localtime(until).date(),
        "k": k,
        "loop": loop,
        "loop_rows": loop_rows(loop),
        "contacts_per_100": {
            "members": per_100(k.member_contacts_per_100),
            "others": per_100(k.other_contacts_per_100),
        },
        "by_source": [(sources.get(s, s), n) for s, n in sorted(k.enrolments_by_source.items())],
        "rates": {
            "trial_conversion": percent(k.trial_conversion),
            "renewal_rate": percent(k.renewal_rate),
            "churn": percent(k.churn),
            "member_order_share": percent(k.member_order_share),
            "member_gmv_share": percent(k.member_gmv_share),
            "prime_trial": percent(PRIME_TRIAL_CONVERSION),
            "prime_renewal": percent(PRIME_RENEWAL),
            "costco_renewal": percent(COSTCO_RENEWAL),
        },
        "plans": plans_list(),
        "launches": launches_list(),
        "chart": trend_chart(k.trend),
    }
    return render(request, "web/membership/index.html", context)


# Status -> the colour class the reviews stylesheet gives its green/red badges.
STATUS_COLOUR = {
    rules.MilestoneStatus.MET: "green",
    rules.MilestoneStatus.MISSED: "red",
    rules.MilestoneStatus.BEHIND: "none",
    rules.MilestoneStatus.NO_DATA: "none",
}


def _figure(metric: rules.Metric, value: Decimal | None) -> str:
    if value is None:
        return "—"
    if metric == rules.Metric.ENROLMENTS:
        return str(int(value))
    return percent(float(value))


@require(people_rules.may_see_member_kpis)
def launch_detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    try:
        launch = launch_get(code=code)
    except NotFound:
        raise Http404 from None
    statuses = dict(MilestoneStatusChoices.choices)
    metrics = dict(MetricChoices.choices)
    rows = [
        {
            "day": p.milestone.day,
            "due_at": p.due_at,
            "metric": metrics[p.milestone.metric],
            "target": _figure(rules.Metric(p.milestone.metric), p.milestone.target),
            "measured": _figure(rules.Metric(p.milestone.metric), p.measured),
            "status": statuses[p.status.value],
            "colour": STATUS_COLOUR[p.status],
            "tasks": [t.strip() for t in p.milestone.tasks.splitlines() if t.strip()],
        }
        for p in launch_progress(launch, now=timezone.now())
    ]
    return render(request, "web/membership/launch.html", {"launch": launch, "rows": rows})
