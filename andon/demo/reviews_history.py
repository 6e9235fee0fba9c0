"""Weeks of reviewed history, so that the bad-andon rate, the Monday review and the bonus
statements show trends: closed andons pulled by the demo's agents (with their evidence
contacts and confirmed work orders), reviews (some invalid, with root causes and corrective
actions, the older ones done), bonus credits for the valid ones, and service recovery given
on the evidence contacts.

Set-based with explicit timestamps (the cord's services read the clock; history is made
in one go here instead). Runs on top of the demo's people (agent1.., lead1, lead2, team-1,
team-2) and reason codes; its products are its own (SKU prefix HIST-), all relisted, so it
never touches the story's book. Calling it twice adds nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from andon.catalog.models import Product
from andon.contacts.models import Contact, ReasonCode
from andon.incentives.models import BonusCredit
from andon.incentives.selectors import bonus_policy
from andon.orders.models import Customer, FulfilmentStatus, Order, OrderLine
from andon.people.models import Team
from andon.pulls.first_report import stamp_first_reports
from andon.pulls.models import Andon, AndonEvidence, AndonState, CordPull
from andon.recovery.models import RecoveryAction, RecoveryGiven
from andon.recovery.services import catalogue_ensure_defaults
from andon.reviews import rules
from andon.reviews.models import CorrectiveAction, PullReview
from andon.reviews.selectors import review_policy
from andon.reviews.summaries import refresh_pulled
from andon.workorders.models import WorkOrder

from . import names

PREFIX = "HIST-"


def _said(reason: str, k: int) -> str:
    """The k-th thing a reader says about a book for this reason (the note is the first)."""
    texts = names.CONTACT_TEXTS.get(("book", reason)) or ("同样的问题",)
    return texts[k % len(texts)]


TITLES = [
    "城南旧事",
    "活着",
    "平凡的世界",
    "围城",
    "边城",
    "骆驼祥子",
    "长恨歌",
    "白鹿原",
    "呼兰河传",
    "额尔古纳河右岸",
    "许三观卖血记",
    "文化苦旅",
]
ACTIONS = {
    "person": ("一对一辅导按灯规则", "One-to-one coaching on the cord rules"),
    "training": ("新员工按灯规则培训", "Cord rules training for new agents"),
    "process": ("修订原因代码说明，避免误选", "Clarify the reason code descriptions"),
    "money": ("复核补救额度是否足够", "Check that the recovery guides are enough"),
    "system": ("修复订单查询显示错误批次", "Fix the order screen showing the wrong batch"),
}
# Invalid share per team over the weeks, oldest first: team-1 hired new agents (the talk's
# 2.5 % week), recovered after training, and slipped again last week (something for the
# Monday review to discuss); team-2 stays near the target.
TEAM_TREND = {
    "team-1": [0.08, 0.07, 0.06, 0.045, 0.03, 0.02, 0.015, 0.025],
    "team-2": [0.02, 0.025, 0.02, 0.015, 0.03, 0.02, 0.02, 0.015],
}


def load_review_history(
    *,
    weeks: int = 8,
    rng: random.Random | None = None,
    pulls_per_team_week: tuple[int, int] = (18, 30),
) -> None:
    """Create `weeks` weeks of history before the current week (see the module docstring)."""
    if Product.objects.filter(sku__startswith=PREFIX).exists():
        return
    rng = rng or random.Random(5)
    catalogue_ensure_defaults()
    with transaction.atomic():
        _load(weeks, rng, pulls_per_team_week)


def _load(weeks: int, rng: random.Random, per_week: tuple[int, int]) -> None:
    teams = list(Team.objects.select_related("lead").filter(code__in=TEAM_TREND))
    members = {t.pk: list(User.objects.filter(profile__team=t).order_by("username")) for t in teams}
    reasons = list(ReasonCode.objects.filter(active=True).prefetch_related("routes"))
    reasons = [r for r in reasons if r.routes.all()] or reasons
    # The history's products are books: only what a reader could report about a book.
    reasons = [r for r in reasons if ("book", r.code) in names.CONTACT_TEXTS] or reasons
    if not teams or not reasons:
        return
    policy = review_policy()
    bonus = bonus_policy()
    recovery = {a.code: a for a in RecoveryAction.objects.filter(active=True)}
    now = timezone.now()
    this_monday = dt.datetime.combine(
        rules.period_start(timezone.localdate(now), "week"),
        dt.time(),
        timezone.get_current_timezone(),
    )
    plan = []  # (opened_at, team, agent, reason, invalid?, root cause)
    for w in range(weeks):
        start = this_monday - dt.timedelta(weeks=weeks - w)
        for team in teams:
            agents = members.get(team.pk) or []
            if not agents:
                continue
            trend = TEAM_TREND[team.code]
            share = trend[min(len(trend) - 1, max(0, len(trend) - weeks + w))]
            n = rng.randint(*per_week)
            # At least one wrong pull in a bad week, so the red weeks are visible.
            wrong = set(rng.sample(range(n), max(round(n * share), 1 if share >= 0.025 else 0)))
            for i in range(n):
                at = start + dt.timedelta(seconds=rng.randint(8 * 3600, 7 * 86400 - 3600))
                cause = (
                    rng.choice(["training", "training", "person", "process", "system", "money"])
                    if i in wrong
                    else ""
                )
                plan.append((at, team, rng.choice(agents), rng.choice(reasons), cause))
    plan.sort(key=lambda p: p[0])
    products = Product.objects.bulk_create(
        Product(
            sku=f"{PREFIX}{k:05d}",
            title=f"{TITLES[k % len(TITLES)]}（第{k % 7 + 1}版）",
            price=Decimal(rng.randint(20, 90)) + Decimal("0.80"),
            listing_changed_at=p[0] + dt.timedelta(days=2),
        )
        for k, p in enumerate(plan)
    )
    customers = Customer.objects.bulk_create(
        Customer(external_id=f"{PREFIX}c{k:05d}-{j}", name=f"历史客户{k}-{j}")
        for k in range(len(plan))
        for j in range(2)
    )
    orders = Order.objects.bulk_create(
        Order(
            external_id=f"{PREFIX}o{k:05d}-{j}",
            customer=customers[2 * k + j],
            placed_at=plan[k][0] - dt.timedelta(days=6),
            channel="web",
        )
        for k in range(len(plan))
        for j in range(2)
    )
    lines = OrderLine.objects.bulk_create(
        OrderLine(
            order=o,
            line_no=1,
            product=products[i // 2],
            unit_price=products[i // 2].price,
            fulfilment_status=FulfilmentStatus.DELIVERED,
        )
        for i, o in enumerate(orders)
    )
    contacts = Contact.objects.bulk_create(
        Contact(
            created_at=plan[i // 2][0] - dt.timedelta(minutes=rng.randint(20, 60 * 30)),
            customer=customers[i],
            order_line=ln,
            product=products[i // 2],
            reason=plan[i // 2][3],
            text=_said(plan[i // 2][3].code, i),
            agent=plan[i // 2][2],
            handling_seconds=rng.randint(90, 400),
        )
        for i, ln in enumerate(lines)
    )
    andons = Andon.objects.bulk_create(
        Andon(
            product=products[k],
            reason=p[3],
            state=AndonState.CLOSED,
            note=_said(p[3].code, 0),
            opened_at=p[0],
            opened_by=p[2],
            team=p[1],
            team_lead=p[1].lead,
            closed_at=p[0] + dt.timedelta(hours=rng.randint(6, 120)),
        )
        for k, p in enumerate(plan)
    )
    AndonEvidence.objects.bulk_create(
        AndonEvidence(andon=a, contact=contacts[2 * k + j])
        for k, a in enumerate(andons)
        for j in range(2)
    )
    stamp_first_reports(a.pk for a in andons)
    CordPull.objects.bulk_create(
        CordPull(andon=a, agent=a.opened_by, note=a.note, pulled_at=a.opened_at, credited=True)
        for a in andons
    )
    WorkOrder.objects.bulk_create(
        WorkOrder(
            andon=a,
            department_id=r.department_id,
            state="closed",
            instruction_zh=r.instruction_zh,
            instruction_en=r.instruction_en,
            created_at=a.opened_at,
            due_at=a.opened_at + dt.timedelta(hours=r.sla_hours),
            started_at=a.opened_at + dt.timedelta(hours=1),
            resolved_at=a.closed_at - dt.timedelta(hours=2),
            findings="已检验并处理",
            closed_at=a.closed_at,
        )
        for a in andons
        if a.closed_at is not None  # all are: they were created closed
        for r in a.reason.routes.all()
    )
    _reviews(andons, plan, policy, bonus, now, rng)
    _recovery(contacts, [p[1].pk for p in plan], recovery, rng)


def _reviews(andons, plan, policy, bonus, now, rng) -> None:
    reviews, credits = [], []
    for a, p in zip(andons, plan, strict=True):
        if not rules.is_sampled(a.pk, policy.sample_rate):
            continue
        at = min(a.opened_at + dt.timedelta(hours=rng.randint(4, 72)), now)
        cause = p[4]
        reviews.append(
            PullReview(
                andon=a,
                reviewer=a.team_lead or a.opened_by,
                verdict="invalid" if cause else "valid",
                root_cause=cause,
                reviewed_at=at,
                pulled_at=a.opened_at,
                agent=a.opened_by,
                team=a.team,
                team_lead=a.team_lead,
            )
        )
        if not cause:
            credits.append(
                BonusCredit(
                    agent=a.opened_by,
                    andon=a,
                    currency=bonus.currency,
                    amount=bonus.amount_per_valid_pull,
                    credited_at=at,
                )
            )
    reviews = PullReview.objects.bulk_create(reviews)
    refresh_pulled(r.pulled_at for r in reviews)
    BonusCredit.objects.bulk_create(credits)
    actions = []
    for r in reviews:
        if r.verdict != "invalid":
            continue
        zh, _en = ACTIONS[r.root_cause]
        kind = rules.action_kind_for(r.root_cause)
        due = (r.reviewed_at + dt.timedelta(days=policy.action_due_days)).date()
        done = r.reviewed_at + dt.timedelta(days=rng.randint(2, 12))
        actions.append(
            CorrectiveAction(
                review=r,
                kind=kind,
                description=zh,
                assignee=r.agent if kind == rules.ActionKind.TRAINING else None,
                owner=r.team_lead,
                due_on=due,
                created_at=r.reviewed_at,
                # Older actions are done; the last fortnight's are still open.
                done_at=done if done < now - dt.timedelta(days=14) else None,
                done_by=r.team_lead if done < now - dt.timedelta(days=14) else None,
            )
        )
    CorrectiveAction.objects.bulk_create(actions)


def _recovery(contacts, team_ids, recovery, rng) -> None:
    given = []
    for i, c in enumerate(contacts):
        picks = rng.choice(
            [
                ["coupon-5"],
                ["replacement", "photo-waived"],
                ["membership-98"],
                ["refund", "return-waived"],
                ["coupon-5", "membership-98"],
                [],
            ]
        )
        for code in picks:
            action = recovery.get(code)
            if action is None:
                continue
            cost = (
                action.default_cost
                if action.default_cost is not None
                else (c.order_line.unit_price)
            )
            given.append(
                RecoveryGiven(
                    contact=c,
                    customer_id=c.customer_id,
                    action=action,
                    cost=cost,
                    note=action.note_zh,
                    agent=c.agent,
                    team_id=team_ids[i // 2],
                    given_at=c.created_at + dt.timedelta(minutes=3),
                )
            )
    RecoveryGiven.objects.bulk_create(given)
