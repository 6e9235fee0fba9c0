"""A small world with known numbers for the flywheel's arithmetic: one full week (W, the last
complete week before TODAY) with every kind of row, and one earlier pull for the trend."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from andon.catalog.models import Batch, Product, StockLevel, Warehouse
from andon.contacts.models import Contact, ReasonCode
from andon.detection.models import Problem
from andon.flywheel import summaries
from andon.holds.models import Hold
from andon.incentives.models import BonusCredit
from andon.orders.models import Customer, Order, OrderLine
from andon.people.models import Department, Team
from andon.pulls.first_report import stamp_first_reports
from andon.pulls.models import Andon, AndonEvidence, CordPull
from andon.recovery.models import RecoveryAction, RecoveryGiven
from andon.reviews.models import CorrectiveAction, PullReview
from andon.reviews.summaries import refresh_pulled
from andon.workorders.models import WorkOrder

TODAY = dt.date(2026, 3, 18)  # a Wednesday
W = dt.date(2026, 3, 9)  # the last complete week (Monday)
TZ = ZoneInfo(settings.TIME_ZONE)


def at(day: int, hour: int = 10, start: dt.date = W) -> dt.datetime:
    """Day 0 is Monday of W."""
    return dt.datetime.combine(start + dt.timedelta(days=day), dt.time(hour), TZ)


@dataclass
class Small:
    product: Product
    team1: Team
    team2: Team
    a1: Andon
    a2: Andon


def _line(
    n: int, customer: Customer, product: Product, batch: Batch, when: dt.datetime, price="80"
):
    order = Order.objects.create(external_id=f"O{n}", customer=customer, placed_at=when)
    return OrderLine.objects.create(
        order=order, line_no=1, product=product, batch=batch, unit_price=Decimal(price)
    )


def build_small(world) -> Small:
    u = world.users
    team1, team2 = Team.objects.get(code="team-1"), Team.objects.get(code="team-2")
    reason = ReasonCode.objects.get(code="print-defect")
    product = Product.objects.create(sku="P1", title="Book", price=Decimal("100"))
    other = Product.objects.create(sku="P2", title="Other", price=Decimal("10"))
    wh = Warehouse.objects.create(code="wh", name="WH")
    batch = Batch.objects.create(product=product, code="B1", supplier="S1", manufacturer="M1")
    batch2 = Batch.objects.create(product=other, code="B2", supplier="S2", manufacturer="M1")
    stock = StockLevel.objects.create(product=product, warehouse=wh, batch=batch, quantity=10)
    c1 = Customer.objects.create(external_id="c1", name="C1")
    c2 = Customer.objects.create(external_id="c2", name="C2")
    # Four orders in W.
    l1 = _line(1, c1, product, batch, at(0, 8))
    l2 = _line(2, c2, product, batch, at(0, 9))
    l3 = _line(3, c2, product, batch, at(1, 9))
    _line(4, c1, other, batch2, at(2, 9))
    # Contacts in W: c1 Mon 10:00 (agent1, 5 min), c2 Mon 22:00 (agent1, 10 min),
    # c1 again Tue 10:00 (agent2, 15 min: a repeat contact).
    k1 = Contact.objects.create(
        created_at=at(0, 10),
        customer=c1,
        order_line=l1,
        product=product,
        reason=reason,
        agent=u["agent1"],
        handling_seconds=300,
    )
    k2 = Contact.objects.create(
        created_at=at(0, 22),
        customer=c2,
        order_line=l2,
        product=product,
        reason=reason,
        agent=u["agent1"],
        handling_seconds=600,
    )
    Contact.objects.create(
        created_at=at(1, 10),
        customer=c1,
        order_line=l1,
        product=product,
        reason=reason,
        agent=u["agent2"],
        handling_seconds=900,
    )
    # A1: team 1, pulled Tue 10:00 (24 h after the first report), closed Thu 10:00 (48 h).
    a1 = Andon.objects.create(
        product=product,
        reason=reason,
        note="n",
        opened_at=at(1, 10),
        opened_by=u["agent1"],
        team=team1,
        team_lead=u["lead1"],
        state="closed",
        closed_at=at(3, 10),
    )
    AndonEvidence.objects.bulk_create(
        [AndonEvidence(andon=a1, contact=k1), AndonEvidence(andon=a1, contact=k2)]
    )
    stamp_first_reports([a1.pk])  # as the pull does
    CordPull.objects.create(
        andon=a1, agent=u["agent1"], note="n", pulled_at=a1.opened_at, credited=True
    )
    # A2: team 2, the same product again after the fix (a repeat), still open.
    a2 = Andon.objects.create(
        product=product,
        reason=reason,
        note="n",
        opened_at=at(4, 10),
        opened_by=u["agent2"],
        team=team2,
        team_lead=u["lead2"],
    )
    CordPull.objects.create(andon=a2, agent=u["agent2"], note="n", pulled_at=a2.opened_at)
    # An earlier pull (the week before W) for the trend, on the other product.
    a0 = Andon.objects.create(
        product=other,
        reason=reason,
        note="n",
        opened_at=at(-3, 10),
        opened_by=u["agent1"],
        team=team1,
        team_lead=u["lead1"],
        state="closed",
        closed_at=at(-3, 16),
    )
    CordPull.objects.create(andon=a0, agent=u["agent1"], note="n", pulled_at=a0.opened_at)
    # Two detected problems in W, one pulled.
    p1 = Problem.objects.create(product=product, created_at=at(0, 23))
    Problem.objects.create(product=other, created_at=at(2, 12))
    Andon.objects.filter(pk=a1.pk).update(problem=p1)
    # Recovery: 30 within the guide, 50 above it (team 1).
    action = RecoveryAction.objects.order_by("position").first()
    RecoveryGiven.objects.create(
        contact=k1,
        customer=c1,
        action=action,
        cost=Decimal("30"),
        agent=u["agent1"],
        team=team1,
        given_at=at(0, 11),
    )
    RecoveryGiven.objects.create(
        contact=k2,
        customer=c2,
        action=action,
        cost=Decimal("50"),
        above_guide=True,
        reason_above_guide="why",
        agent=u["agent1"],
        team=team1,
        given_at=at(0, 23),
    )
    # Reviews: A1 valid after 2 days (on time), A2 invalid after 10 days (late).
    r1 = PullReview.objects.create(
        andon=a1,
        reviewer=u["lead1"],
        verdict="valid",
        reviewed_at=at(3, 10),
        pulled_at=a1.opened_at,
        agent=u["agent1"],
        team=team1,
        team_lead=u["lead1"],
    )
    r2 = PullReview.objects.create(
        andon=a2,
        reviewer=u["lead2"],
        verdict="invalid",
        root_cause="training",
        reviewed_at=at(14, 10),
        pulled_at=a2.opened_at,
        agent=u["agent2"],
        team=team2,
        team_lead=u["lead2"],
    )
    refresh_pulled([r1.pulled_at, r2.pulled_at])  # as the review service does
    # Corrective actions due in W: one training done on time (Fri for Sat), one never done.
    CorrectiveAction.objects.create(
        review=r2,
        kind="training",
        description="train",
        due_on=W + dt.timedelta(days=5),
        created_at=at(4, 12),
        done_at=at(4, 18),
    )
    CorrectiveAction.objects.create(
        review=r2,
        kind="note",
        description="note",
        due_on=W + dt.timedelta(days=6),
        created_at=at(4, 12),
    )
    assert r1
    # Bonus: 50 credited to agent1 for A1.
    BonusCredit.objects.create(
        agent=u["agent1"], andon=a1, amount=Decimal("50"), credited_at=at(3, 10)
    )
    # Holds of A1: 3 units of stock at 100 and one packed line at 80 -> 380.
    Hold.objects.create(andon=a1, kind="stock", stock_level=stock, quantity=3, placed_at=at(1, 10))
    Hold.objects.create(andon=a1, kind="order_line", order_line=l3, quantity=1, placed_at=at(1, 10))
    # Work orders of A1: vendor met its 24 h, warehouse missed its 8 h.
    vendor = Department.objects.get(code="vendor-management")
    warehouse = Department.objects.get(code="warehouse-logistics")
    WorkOrder.objects.create(
        andon=a1,
        department=vendor,
        instruction_zh="x",
        instruction_en="x",
        created_at=at(1, 10),
        due_at=at(2, 10),
        state="closed",
        resolved_at=at(1, 20),
        findings="bad glue",
        disposition="return-to-vendor",
    )
    WorkOrder.objects.create(
        andon=a1,
        department=warehouse,
        instruction_zh="x",
        instruction_en="x",
        created_at=at(1, 10),
        due_at=at(1, 18),
        state="closed",
        resolved_at=at(2, 6),
        findings="3 units",
        disposition="return-to-vendor",
    )
    # The dashboard reads the summaries: recount them over the world just built.
    summaries.rebuild()
    return Small(product, team1, team2, a1, a2)
