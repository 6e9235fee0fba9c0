"""Seeding for the benchmarks, set-based (bulk_create), on whatever database Django is set up on.

Made the way tests/world.py makes the story's people (there is no API for them): an agent
with a team, vendor management and warehouse & logistics, the print-defect reason routed to
both, two warehouses, a bearer token. Products come in a fixed shape so that the only thing
that changes between sizes is the number of packed-not-shipped lines the pull must hold.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.db import connection
from django.utils import timezone

from andon.catalog.models import Batch, Product, StockLevel, Warehouse
from andon.contacts.models import Contact, ReasonCode, ReasonRoute
from andon.core.models import ApiToken, hash_token
from andon.orders.models import Customer, FulfilmentStatus, Order, OrderLine
from andon.people.models import Department, Profile, Team

REASON = "print-defect"
NOTE = "100-101页未裁开"
# The story's stock: 2 warehouses x 2 batches, 300 units in all.
STOCK = ((0, 0, 120), (0, 1, 80), (1, 0, 60), (1, 1, 40))
STOCK_UNITS = sum(q for _, _, q in STOCK)
CUSTOMER_POOL = 2_000
# Django batches bulk inserts itself on SQLite (bind-parameter limit); this bounds PostgreSQL.
BATCH = 2_000


@dataclass(frozen=True)
class BenchWorld:
    tag: str
    agent: User
    token: str
    warehouse_ids: tuple[int, int]
    customer_ids: list[int]
    reason: ReasonCode


def build_world() -> BenchWorld:
    """The people and configuration, once per database (a unique tag keeps reruns apart)."""
    if not connection.features.can_return_rows_from_bulk_insert:
        raise RuntimeError("Seeding relies on bulk_create returning primary keys.")
    tag = uuid.uuid4().hex[:6]
    agent = User.objects.create_user(username=f"bench-agent-{tag}", password=None)
    agent.groups.add(Group.objects.get(name="agent"))
    lead = User.objects.create_user(username=f"bench-lead-{tag}", password=None)
    lead.groups.add(Group.objects.get(name="team_lead"))
    team = Team.objects.create(code=f"bench-{tag}", name_zh="压测组", name_en="Bench", lead=lead)
    Profile.objects.create(user=agent, team=team)
    reason, created = ReasonCode.objects.get_or_create(
        code=REASON,
        defaults={
            "label_zh": "印刷/装订缺陷",
            "label_en": "Print defect",
            "threshold": 2,
            "window_days": 30,
        },
    )
    if created:
        for code, zh, en, sla in [
            ("vendor-management", "供应商管理", "Vendor management", 24),
            ("warehouse-logistics", "仓储物流", "Warehouse & logistics", 8),
        ]:
            dept, _ = Department.objects.get_or_create(
                code=code, defaults={"name_zh": zh, "name_en": en}
            )
            ReasonRoute.objects.create(
                reason=reason,
                department=dept,
                sla_hours=sla,
                instruction_zh="检验并处理：{title}（{sku}）",
                instruction_en="Inspect and act: {title} ({sku})",
            )
    warehouses = Warehouse.objects.bulk_create(
        [Warehouse(code=f"wh-{tag}-{i}", name=f"仓库 {i}") for i in range(2)]
    )
    customers = Customer.objects.bulk_create(
        [Customer(external_id=f"c-{tag}-{i}", name=f"顾客 {i}") for i in range(CUSTOMER_POOL)],
        batch_size=BATCH,
    )
    raw = ApiToken.new_raw()
    ApiToken.objects.create(user=agent, token_hash=hash_token(raw), prefix=raw[:12])
    return BenchWorld(
        tag=tag,
        agent=agent,
        token=raw,
        warehouse_ids=(warehouses[0].pk, warehouses[1].pk),
        customer_ids=[c.pk for c in customers],
        reason=reason,
    )


def seed_products(world: BenchWorld, *, lines: int, count: int, label: str) -> list[str]:
    """`count` products, each with its stock rows, `lines` packed orders of one line, and two
    delivered lines that two distinct customers reported (so the first pull opens an andon).
    Returns the SKUs."""
    now = timezone.now()
    placed = now - dt.timedelta(days=1)
    products = Product.objects.bulk_create(
        [
            Product(
                sku=f"{world.tag}-{label}-{lines}-{i}",
                title=f"压测书 {lines}/{i}",
                price=Decimal("39.80"),
                monthly_gmv=Decimal("1000000.00"),
            )
            for i in range(count)
        ]
    )
    batches = Batch.objects.bulk_create(
        [
            Batch(product=p, code=code, supplier="出版社", manufacturer=printer)
            for p in products
            for code, printer in (("B1", "印厂甲"), ("B2", "印厂乙"))
        ]
    )
    by_product: dict[int, list[Batch]] = {}
    for b in batches:
        by_product.setdefault(b.product_id, []).append(b)
    StockLevel.objects.bulk_create(
        [
            StockLevel(
                product=p,
                warehouse_id=world.warehouse_ids[w],
                batch=by_product[p.pk][b],
                quantity=q,
            )
            for p in products
            for w, b, q in STOCK
        ]
    )
    pool = world.customer_ids
    # Per product: `lines` packed orders, then the two delivered ones the contacts are about.
    statuses = [FulfilmentStatus.PACKED] * lines + [FulfilmentStatus.DELIVERED] * 2
    plan = [(p, j, status) for p in products for j, status in enumerate(statuses)]
    orders = Order.objects.bulk_create(
        [
            Order(
                external_id=f"{p.sku}-o{j}",
                customer_id=pool[j % len(pool)],
                placed_at=placed,
                channel="web",
            )
            for p, j, _ in plan
        ],
        batch_size=BATCH,
    )
    order_lines = OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=o,
                line_no=1,
                product=p,
                batch=by_product[p.pk][j % 2],
                warehouse_id=world.warehouse_ids[(j // 2) % 2],
                quantity=1,
                unit_price=Decimal("39.80"),
                fulfilment_status=status,
                status_changed_at=placed,
            )
            for o, (p, j, status) in zip(orders, plan, strict=True)
        ],
        batch_size=BATCH,
    )
    Contact.objects.bulk_create(
        [
            Contact(
                created_at=now,
                customer_id=o.customer_id,
                order_line=ln,
                product=p,
                reason=world.reason,
                text=NOTE,
                agent=world.agent,
            )
            for o, ln, (p, _, status) in zip(orders, order_lines, plan, strict=True)
            if status == FulfilmentStatus.DELIVERED
        ]
    )
    return [p.sku for p in products]


def seed_intake(
    world: BenchWorld, *, products: int, orders_per_product: int
) -> list[tuple[str, str]]:
    """Delivered orders for contact intake, spread over products and distinct customers so
    that each product's eligibility count stays the size a real product's would.
    Returns (customer, order) external ids; each order has one line."""
    placed = timezone.now() - dt.timedelta(days=3)
    items = Product.objects.bulk_create(
        [
            Product(sku=f"{world.tag}-intake-{i}", title=f"来电书 {i}", price=Decimal("20.00"))
            for i in range(products)
        ]
    )
    batches = Batch.objects.bulk_create([Batch(product=p, code="B1") for p in items])
    plan = [
        (p, b, j) for p, b in zip(items, batches, strict=True) for j in range(orders_per_product)
    ]
    pool = world.customer_ids
    orders = Order.objects.bulk_create(
        [
            Order(
                external_id=f"{p.sku}-o{j}",
                customer_id=pool[k % len(pool)],
                placed_at=placed,
                channel="app",
            )
            for k, (p, _, j) in enumerate(plan)
        ],
        batch_size=BATCH,
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=o,
                line_no=1,
                product=p,
                batch=b,
                warehouse_id=world.warehouse_ids[0],
                fulfilment_status=FulfilmentStatus.DELIVERED,
                status_changed_at=placed,
            )
            for o, (p, b, _) in zip(orders, plan, strict=True)
        ],
        batch_size=BATCH,
    )
    # The pool was created in index order, so the k-th order's customer is c-<tag>-<k % pool>.
    return [(f"c-{world.tag}-{k % len(pool)}", o.external_id) for k, o in enumerate(orders)]
