"""Six months of membership, so that the member figures and the launch page have data: the
default 98折 plan and an annual plan, members enrolled from every source (those who got the
membership gesture in the review history enrolled from that recovery), trials that convert
or are cancelled, renewals and expiries made by the real tick week by week, and one launch
plan mid-way (day 30 behind it, days 60 and 90 ahead). Calling it twice adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from andon.membership.models import Benefit, Membership, Plan
from andon.membership.rules import Change, Metric, Source
from andon.membership.services import (
    MilestoneIn,
    launch_create,
    membership_change,
    membership_enrol,
    membership_tick,
    plans_ensure_defaults,
)
from andon.orders.models import Customer
from andon.recovery.models import RecoveryGiven

MONTHS = 6
SOURCES = [Source.STOREFRONT] * 5 + [Source.CAMPAIGN] * 3 + [Source.CONSOLE, Source.API]


def _annual_plan() -> Plan:
    plan, created = Plan.objects.get_or_create(
        code="member-annual",
        defaults={
            "name_zh": "年度会员",
            "name_en": "Annual member",
            "price": Decimal("99.00"),
            "period": "year",
            "trial_days": 14,
            "position": 1,
        },
    )
    if created:
        Benefit.objects.bulk_create(
            [
                Benefit(plan=plan, kind="discount_percent", value=Decimal("5"), position=0),
                Benefit(plan=plan, kind="free_shipping", position=1),
                Benefit(plan=plan, kind="return_window_days", value=Decimal("30"), position=2),
                Benefit(plan=plan, kind="priority_service", position=3),
            ]
        )
    return plan


def membership_load(rng: random.Random, now: dt.datetime, *, members: int = 400) -> int:
    """Returns how many memberships it made."""
    if Membership.objects.exists():
        return 0
    plans_ensure_defaults()
    _annual_plan()
    start = now - dt.timedelta(days=30 * MONTHS)
    ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    gestures = {
        r.customer_id: r
        for r in RecoveryGiven.objects.filter(
            action__kind="membership", given_at__gte=start, given_at__lt=now
        ).select_related("agent")
    }
    picked = rng.sample(ids, min(members, len(ids)))
    plan_of = {pk: rng.choice(["member-98", "member-98", "member-annual"]) for pk in picked}
    starts = {
        pk: start + dt.timedelta(seconds=rng.uniform(0, (now - start).total_seconds()))
        for pk in picked
    }
    customers = Customer.objects.in_bulk(list(set(picked) | set(gestures)))
    queue = sorted(
        [(r.given_at, pk, "recovery") for pk, r in gestures.items()]
        + [(starts[pk], pk, "other") for pk in picked if pk not in gestures],
        key=lambda e: e[0],
    )
    made = 0
    week = start
    while week < now:
        week_end = min(week + dt.timedelta(days=7), now)
        while queue and queue[0][0] < week_end:
            at, pk, kind = queue.pop(0)
            if kind == "recovery":
                r = gestures[pk]
                enrolled = Membership.objects.filter(customer_id=pk).exists()
                if not enrolled:
                    membership_enrol(
                        actor=r.agent,
                        customer=customers[pk],
                        plan_code="member-98",
                        source=Source.RECOVERY,
                        trial=True,
                        recovery_ref=r.pk,
                        at=at,
                    )
                    made += 1
                continue
            if Membership.objects.filter(customer_id=pk, ended_at__isnull=True).exists():
                continue
            membership_enrol(
                actor=None,
                customer=customers[pk],
                plan_code=plan_of[pk],
                source=rng.choice(SOURCES),
                trial=rng.random() < 0.7,
                campaign="双十一" if rng.random() < 0.2 else "",
                at=at,
            )
            made += 1
        # A few members a week cancel (trials more often than paying members).
        live = list(
            Membership.objects.filter(state__in=["trial", "active"]).values_list(
                "customer_id", "state"
            )
        )
        for customer_id, state in live:
            if rng.random() < (0.06 if state == "trial" else 0.015):
                membership_change(
                    actor=None,
                    customer=customers[customer_id],
                    change=Change.CANCELLED,
                    at=week_end - dt.timedelta(hours=rng.uniform(1, 100)),
                )
        membership_tick(now=week_end)
        week = week_end
    _launch(now)
    return made


def _launch(now: dt.datetime) -> None:
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        return
    launch_create(
        actor=admin,
        code="annual-east-china",
        name_zh="年度会员华东上线",
        name_en="Annual membership, East China",
        plan_code="member-annual",
        segment="华东 · 老客",
        starts_on=timezone.localdate(now) - dt.timedelta(days=45),
        milestones=[
            MilestoneIn(30, Metric.ENROLMENTS, Decimal("25"), "短信邀请老客\n客服在服务补救时推荐"),
            MilestoneIn(60, Metric.TRIAL_CONVERSION, Decimal("0.6"), "试用第 10 天提醒权益"),
            MilestoneIn(90, Metric.MEMBER_GMV_SHARE, Decimal("0.15"), "会员日活动"),
        ],
    )
