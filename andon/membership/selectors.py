"""Reads of membership: plans with their benefits, a customer's membership with its history,
and the member figures (enrolments, trial conversion, renewal, churn)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from andon.contacts.models import Contact
from andon.core.errors import NotFound

from . import rules
from .days import DayActivity, activity, member_at
from .models import Benefit, Launch, Membership, MembershipChange, Milestone, Plan


class UnknownPlan(NotFound):
    code = "unknown-plan"
    status = 422


def plans_list(*, active_only: bool = True) -> list[Plan]:
    """Plans in their configured order, each with its benefits (two queries in all)."""
    qs = Plan.objects.prefetch_related(
        Prefetch("benefits", queryset=Benefit.objects.order_by("position", "id"))
    )
    if active_only:
        qs = qs.filter(active=True)
    return list(qs)


def plan_get(*, code: str) -> Plan:
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        raise UnknownPlan(_("No membership plan '%(code)s'.") % {"code": code}, field="plan")
    return plan


def plan_for_recovery_action(action_code: str, *, day: dt.date) -> Plan | None:
    """The plan a service recovery action enrols in, if one is configured and on sale on
    `day`: recovery is never refused because a plan ran out, it stays a recovery line."""
    return (
        Plan.objects.filter(recovery_action=action_code, active=True)
        .exclude(available_from__gt=day)
        .exclude(available_until__lt=day)
        .first()
    )


def live_membership(*, customer_id: int) -> Membership | None:
    return (
        Membership.objects.select_related("plan")
        .filter(customer_id=customer_id, state__in=[s.value for s in rules.LIVE])
        .first()
    )


@dataclass(frozen=True)
class CustomerMembership:
    current: Membership | None  # the live one, else the latest ended one
    history: list[MembershipChange]  # every change of every membership, oldest first


def membership_of_customer(*, customer_id: int) -> CustomerMembership:
    """What the customer page and the API show: the current membership and all history."""
    mine = Membership.objects.select_related("plan", "customer").filter(customer_id=customer_id)
    current = (
        mine.filter(state__in=[s.value for s in rules.LIVE]).first()
        or mine.order_by("-started_at", "-id").first()
    )
    history = list(
        MembershipChange.objects.filter(membership__customer_id=customer_id)
        .select_related("membership__plan", "actor")
        .order_by("at", "id")
    )
    return CustomerMembership(current, history)


@dataclass(frozen=True)
class TrendPoint:
    month: dt.date  # first day of the month, in the product's time zone
    enrolments: int
    converted: int
    renewed: int
    expired: int


@dataclass(frozen=True)
class MemberKpis:
    since: dt.datetime
    until: dt.datetime
    enrolments: int
    enrolments_by_source: dict[str, int]
    trials_decided: int  # trials converted, cancelled or ended in the period
    trials_converted: int
    trial_conversion: float | None
    renewals_due: int  # paid periods that renewed or lapsed in the period
    renewed: int
    renewal_rate: float | None
    paid_at_start: int
    churned: int  # paid memberships that expired in the period
    churn: float | None
    orders: int
    member_orders: int
    gmv: Decimal
    member_gmv: Decimal
    member_order_share: float | None
    member_gmv_share: float | None
    contacts: int
    member_contacts: int  # contacts by customers who were members when they made them
    # Contacts per 100 orders of the same people in the period (members vs the others): does
    # membership come with fewer problems, or with more attention asked?
    member_contacts_per_100: float | None
    other_contacts_per_100: float | None
    trend: list[TrendPoint]


@dataclass(frozen=True)
class _Split:
    """Rows of a period counted (and valued) for members at the time and for all."""

    n: int = 0
    members: int = 0
    gmv: Decimal = Decimal("0")
    member_gmv: Decimal = Decimal("0")


def _by_membership(qs: QuerySet, member: Exists) -> _Split:
    """One grouped read of `qs` by whether its customer was a member then."""
    rows = {
        r["member"]: r
        for r in qs.order_by().annotate(member=member).values("member").annotate(n=Count("id"))
    }
    yes, no = rows.get(True, {}), rows.get(False, {})
    return _Split(n=yes.get("n", 0) + no.get("n", 0), members=yes.get("n", 0))


def member_kpis(
    *,
    since: dt.datetime,
    until: dt.datetime,
    trend_months: int = 6,
    plan_id: int | None = None,
) -> MemberKpis:
    """The member figures of [since, until), optionally of one plan, each from one grouped
    query (six in all, whatever the number of members or days; orders and GMV from the day
    summaries, days.py). Rates with nothing to divide are
    None, not 0."""
    memberships = Membership.objects.all()
    if plan_id is not None:
        memberships = memberships.filter(plan_id=plan_id)
    first_month = _first_trend_month(until, trend_months)
    days = activity(
        lo=min(since, first_month) if trend_months else since,
        since=since,
        until=until,
        plan_id=plan_id,
    )
    by_source: dict[str, int] = {}
    steps: dict[tuple[str, str], list[int]] = {}
    orders = _Split()
    for day in days:
        if day.in_period:
            orders = _Split(
                orders.n + day.orders,
                orders.members + day.member_orders,
                orders.gmv + day.gmv,
                orders.member_gmv + day.member_gmv,
            )
            for source, n in day.enrolments.items():
                by_source[source] = by_source.get(source, 0) + n
            for key, (n, paid) in day.steps.items():
                got = steps.setdefault(key, [0, 0])
                got[0], got[1] = got[0] + n, got[1] + paid
    tally = rules.tally_steps(
        {"change": c, "from_state": f, "n": n, "paid": paid} for (c, f), (n, paid) in steps.items()
    )
    converted, renewed, churned = tally.converted, tally.renewed, tally.churned
    paid_at_start = (
        memberships.filter(paid_from__lt=since)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=since))
        .count()
    )
    total, member_total = orders.gmv, orders.member_gmv
    contacts = _by_membership(
        Contact.objects.filter(created_at__gte=since, created_at__lt=until),
        member_at("created_at", "customer_id", plan_id),
    )
    return MemberKpis(
        since=since,
        until=until,
        enrolments=sum(by_source.values()),
        enrolments_by_source=by_source,
        trials_decided=tally.decided,
        trials_converted=converted,
        trial_conversion=tally.trial_conversion,
        renewals_due=tally.renewals_due,
        renewed=renewed,
        renewal_rate=tally.renewal_rate,
        paid_at_start=paid_at_start,
        churned=churned,
        churn=rules.rate(churned, paid_at_start),
        orders=orders.n,
        member_orders=orders.members,
        gmv=Decimal(total).quantize(Decimal("0.01")),
        member_gmv=Decimal(member_total).quantize(Decimal("0.01")),
        member_order_share=rules.rate(orders.members, orders.n),
        member_gmv_share=None if not total else round(float(member_total / total), 4),
        contacts=contacts.n,
        member_contacts=contacts.members,
        member_contacts_per_100=rules.per_100(contacts.members, orders.members),
        other_contacts_per_100=rules.per_100(
            contacts.n - contacts.members, orders.n - orders.members
        ),
        trend=_trend(days, first_month, trend_months) if trend_months else [],
    )


def _first_trend_month(until: dt.datetime, months: int) -> dt.datetime:
    """The start (product time zone) of the first of the `months` months up to `until`."""
    tz = timezone.get_current_timezone()
    last = timezone.localtime(until - dt.timedelta(microseconds=1)).date().replace(day=1)
    return rules.add_months(dt.datetime.combine(last, dt.time(), tz), 1 - max(months, 1))


def _trend(days: list[DayActivity], first: dt.datetime, months: int) -> list[TrendPoint]:
    """Enrolments and changes per month (product time zone) from `first` on, from the days."""
    first_day = timezone.localtime(first).date()
    enrol: dict[dt.date, int] = {}
    changes: dict[tuple[dt.date, str], int] = {}
    for d in days:
        if d.day < first_day:
            continue
        m = d.day.replace(day=1)
        enrol[m] = enrol.get(m, 0) + sum(d.enrolments.values())
        for (change, _from), (n, _paid) in d.steps.items():
            changes[(m, change)] = changes.get((m, change), 0) + n
    points = []
    for i in range(months):
        m = timezone.localtime(rules.add_months(first, i)).date()
        points.append(
            TrendPoint(
                month=m,
                enrolments=enrol.get(m, 0),
                converted=changes.get((m, rules.Change.CONVERTED), 0),
                renewed=changes.get((m, rules.Change.RENEWED), 0),
                expired=changes.get((m, rules.Change.EXPIRED), 0),
            )
        )
    return points


@dataclass(frozen=True)
class MilestoneProgress:
    milestone: Milestone
    due_at: dt.datetime
    due: bool
    measured: Decimal | None
    status: rules.MilestoneStatus


def launches_list() -> list[Launch]:
    return list(Launch.objects.select_related("plan").prefetch_related("owners"))


def launch_get(*, code: str) -> Launch:
    launch = (
        Launch.objects.select_related("plan").prefetch_related("owners").filter(code=code).first()
    )
    if launch is None:
        raise NotFound(_("No launch plan '%(code)s'.") % {"code": code}, field="code")
    return launch


def _measured(k: MemberKpis, metric: rules.Metric) -> Decimal | None:
    value: float | int | None = {
        rules.Metric.ENROLMENTS: k.enrolments,
        rules.Metric.TRIAL_CONVERSION: k.trial_conversion,
        rules.Metric.RENEWAL_RATE: k.renewal_rate,
        rules.Metric.MEMBER_GMV_SHARE: k.member_gmv_share,
    }[metric]
    return None if value is None else Decimal(str(value))


def launch_progress(launch: Launch, *, now: dt.datetime) -> list[MilestoneProgress]:
    """Each milestone against its figure for the launch's plan, measured from the start day to
    the milestone's day (or to now, before the day). One set of figures per cut-off."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(launch.starts_on, dt.time(), tz)
    out = []
    figures: dict[dt.datetime, MemberKpis] = {}
    for m in launch.milestones.order_by("day", "metric"):
        due_at = start + dt.timedelta(days=m.day)
        cutoff = min(due_at, now)
        if cutoff <= start:
            out.append(MilestoneProgress(m, due_at, False, None, rules.MilestoneStatus.NO_DATA))
            continue
        if cutoff not in figures:
            figures[cutoff] = member_kpis(
                since=start, until=cutoff, trend_months=0, plan_id=launch.plan_id
            )
        measured = _measured(figures[cutoff], rules.Metric(m.metric))
        due = now >= due_at
        status = rules.milestone_status(target=m.target, measured=measured, due=due)
        out.append(MilestoneProgress(m, due_at, due, measured, status))
    return out
