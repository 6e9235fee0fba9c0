"""Pulls made through the real cord service, and past andons made set-based with chosen pull
times (the KPI tests need many andons in chosen weeks; the cord reads the clock itself)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth.models import User
from django.utils import timezone

from andon.catalog.models import Product
from andon.contacts.models import Contact, ReasonCode
from andon.orders.models import Customer, FulfilmentStatus, Order, OrderLine
from andon.people.models import Team
from andon.pulls.models import Andon, AndonState, CordPull
from andon.pulls.services import andon_pull
from andon.reviews.models import PullReview
from andon.reviews.summaries import refresh_pulled

_seq = itertools.count(1)


def reported_product(*, agent: User, reporters: int = 2) -> tuple[Product, list[Contact]]:
    """A product that `reporters` distinct customers reported a print defect on."""
    n = next(_seq)
    product = Product.objects.create(sku=f"978-rv-{n}", title=f"书{n}", price="39.80")
    reason = ReasonCode.objects.get(code="print-defect")
    now = timezone.now()
    contacts = []
    for i in range(reporters):
        c = Customer.objects.create(external_id=f"rv-{n}-c{i}", name=f"客户{i}")
        o = Order.objects.create(
            external_id=f"rv-{n}-o{i}", customer=c, placed_at=now - dt.timedelta(days=3)
        )
        line = OrderLine.objects.create(
            order=o, line_no=1, product=product, fulfilment_status=FulfilmentStatus.DELIVERED
        )
        contacts.append(
            Contact.objects.create(
                created_at=now - dt.timedelta(hours=2 - i),
                customer=c,
                order_line=line,
                product=product,
                reason=reason,
                text="100-101页未裁开",
                agent=agent,
            )
        )
    return product, contacts


def pull(world, agent: str = "agent1") -> Andon:
    """An andon opened by `agent` through `andon_pull`, as the console or API would."""
    user = world.users[agent]
    product, _ = reported_product(agent=user)
    return andon_pull(
        actor=user, sku=product.sku, reason="print-defect", note="100-101页未裁开"
    ).andon


def past_andons(
    *, agent: User, lead: User | None, team: Team | None, at: dt.datetime, n: int
) -> list[Andon]:
    """`n` closed andons pulled at `at` by `agent`, attributed to `lead` and `team`."""
    reason = ReasonCode.objects.get(code="print-defect")
    k = next(_seq)
    products = Product.objects.bulk_create(
        Product(sku=f"978-past-{k}-{i}", title="旧书", price="10") for i in range(n)
    )
    andons = Andon.objects.bulk_create(
        Andon(
            product=p,
            reason=reason,
            state=AndonState.CLOSED,
            note="旧的按灯",
            opened_at=at,
            opened_by=agent,
            team=team,
            team_lead=lead,
            closed_at=at + dt.timedelta(days=2),
        )
        for p in products
    )
    CordPull.objects.bulk_create(
        CordPull(andon=a, agent=agent, note=a.note, pulled_at=at, credited=True) for a in andons
    )
    return andons


def reviewed(
    andons: list[Andon], *, invalid: int, reviewer: User, root_cause: str = "training"
) -> None:
    """Review the andons set-based: the first `invalid` as invalid, the rest valid."""
    now = timezone.now()
    PullReview.objects.bulk_create(
        PullReview(
            andon=a,
            reviewer=reviewer,
            verdict="invalid" if i < invalid else "valid",
            root_cause=root_cause if i < invalid else "",
            reviewed_at=now,
            pulled_at=a.opened_at,
            agent_id=a.opened_by_id,
            team_id=a.team_id,
            team_lead_id=a.team_lead_id,
        )
        for i, a in enumerate(andons)
    )
    refresh_pulled(a.opened_at for a in andons)  # as the services do
