"""Past andons, made through the real services so that their audit trail, holds, listing
events and outbox are what production would have written: three closed (worked, resolved,
confirmed, relisted) and one still open with a work order in progress.

Each step is recorded at its moment in the past (the services' `at`), so that the history
reads as history (pulled weeks ago, closed days later) instead of "just now".
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.models import User

from andon.catalog.models import Product, StockLevel
from andon.contacts.services import contact_record
from andon.holds.models import Hold, HoldKind
from andon.holds.rules import Disposition
from andon.orders.models import Customer, FulfilmentStatus, Order, OrderLine
from andon.pulls.models import Andon
from andon.pulls.relist import work_order_act
from andon.pulls.services import andon_pull
from andon.workorders.rules import Action
from andon.workorders.services import Step


@dataclass(frozen=True)
class Past:
    kind: str  # which kind of background product it happens to
    item: str  # the household item it is about ("" for a book): the note must fit it
    texts: tuple[str, ...]  # what the reporting customers said, in their words
    reason: str
    agent: str
    note: str
    pulled_days_ago: float
    # department -> (findings, disposition, disposition of batch B1's stock or None);
    # departments left out are not worked. closed_days_ago None: the andon is still open.
    findings: dict[str, tuple[str, Disposition, Disposition | None]]
    closed_days_ago: float | None = None
    # (department, the confirmer's reason to reopen its work order once, what it adds)
    reopen: tuple[str, str, str] | None = None
    packed: int = 0  # packed orders waiting when the cord is pulled


PAST = [
    Past(
        "book",
        "",
        (
            "第3章后面又是第3章，没有第4章",
            "装订错了，缺了一章",
            "Chapter 4 is missing, chapter 3 twice",
        ),
        "print-defect",
        "agent3",
        "第3章重复装订，缺第4章",
        40,
        {
            "vendor-management": (
                "印厂B1批次配页错误，整批退回；B2批次抽检合格",
                Disposition.RELEASE,
                Disposition.RETURN_TO_VENDOR,
            ),
            "warehouse-logistics": ("已开箱检验全部被扣库存", Disposition.RELEASE, None),
        },
        closed_days_ago=37,
    ),
    Past(
        "household",
        "陶瓷马克杯",
        ("马克杯杯身裂了", "外箱压扁，杯子有裂纹", "The mug arrived cracked"),
        "damaged-in-transit",
        "agent5",
        "杯身裂纹，外箱压痕明显",
        25,
        {
            "delivery": (
                "华东线路分拣中心暴力装卸，已向承运商索赔并更换线路",
                Disposition.RELEASE,
                None,
            ),
            "warehouse-logistics": (
                "改用加厚气泡膜和五层纸箱，被扣库存已重新包装",
                Disposition.FIX,
                None,
            ),
        },
        closed_days_ago=21,
        reopen=("warehouse-logistics", "请附上新包装的跌落测试结果", "；1.2米跌落测试10次无破损"),
    ),
    Past(
        "household",
        "不粘炒锅",
        ("炒锅没有锅盖", "套装里少了锅盖", "Lid missing from the wok set"),
        "missing-parts",
        "agent4",
        "缺少锅盖",
        15,
        {
            "vendor-management": (
                "供应商包装线漏装锅盖，整批退回，补货批次已验收",
                Disposition.RETURN_TO_VENDOR,
                None,
            ),
            "warehouse-logistics": ("抽检20件，其中7件缺锅盖", Disposition.RETURN_TO_VENDOR, None),
        },
        closed_days_ago=11,
    ),
    Past(
        "household",
        "纯棉毛巾",
        ("下单白色，收到的是灰色毛巾", "毛巾颜色发错了", "Ordered white towels, got grey"),
        "wrong-item",
        "agent6",
        "下单白色收到灰色",
        2,
        {
            "catalog-content": ("", Disposition.RELEASE, None),
        },
        packed=2,
    ),
]


def history_load(
    rng: random.Random,
    products: list[Product],
    customer_ids: list[int],
    users: dict[str, User],
    now: dt.datetime,
) -> list[Andon]:
    """One past andon per product given (in PAST's order); returns them."""
    andons = []
    customers = list(Customer.objects.filter(pk__in=customer_ids).order_by("pk"))
    for n, (past, product) in enumerate(zip(PAST, products, strict=True)):
        pulled = now - dt.timedelta(days=past.pulled_days_ago)
        reporters = rng.sample(customers, 3)
        for k, customer in enumerate(reporters):
            placed = pulled - dt.timedelta(days=12 - k)
            line = _order(f"SO9{n}{k:04d}", customer, product, placed, FulfilmentStatus.DELIVERED)
            contact_record(
                actor=users[rng.choice(["agent7", "agent8", past.agent])],
                customer=customer.external_id,
                order=line.order.external_id,
                line_no=1,
                reason=past.reason,
                text=past.texts[k % len(past.texts)],
                channel=rng.choice(["phone", "chat"]),
                handling_seconds=rng.randint(120, 480),
                at=placed + dt.timedelta(days=6, hours=k),
            )
        for k in range(past.packed):
            _order(
                f"SO9{n}{50 + k:04d}",
                rng.choice(customers),
                product,
                pulled - dt.timedelta(hours=20 - k),
                FulfilmentStatus.PACKED,
            )
        result = andon_pull(
            actor=users[past.agent], sku=product.sku, reason=past.reason, note=past.note, at=pulled
        )
        _work(result.andon, past, users, pulled)
        andons.append(result.andon)
    return andons


def _work(andon: Andon, past: Past, users: dict[str, User], pulled: dt.datetime) -> None:
    member = {
        "vendor-management": "vendor1",
        "warehouse-logistics": "warehouse1",
        "catalog-content": "catalog1",
        "delivery": "delivery1",
    }
    b1_stock = list(
        Hold.objects.filter(
            andon=andon, kind=HoldKind.STOCK, stock_level__batch__code="B1"
        ).values_list("id", flat=True)
    )
    wos = list(andon.work_orders.select_related("department").order_by("id"))
    for i, wo in enumerate(wos):
        if wo.department.code not in past.findings:
            continue
        findings, disposition, b1 = past.findings[wo.department.code]
        actor = users[member[wo.department.code]]
        at = pulled + dt.timedelta(hours=2 + i)
        _act(actor, wo.pk, Step(Action.START), at)
        if not findings:
            continue
        resolve = Step(
            Action.RESOLVE,
            findings=findings,
            disposition=disposition,
            hold_dispositions={h: b1 for h in b1_stock} if b1 else None,
        )
        _act(actor, wo.pk, resolve, at + dt.timedelta(hours=20))
        if past.reopen and past.reopen[0] == wo.department.code:
            _, why, addendum = past.reopen
            _act(
                users["confirmer1"],
                wo.pk,
                Step(Action.REOPEN, reason=why),
                at + dt.timedelta(hours=26),
            )
            _act(
                actor,
                wo.pk,
                Step(Action.RESOLVE, findings=findings + addendum, disposition=disposition),
                at + dt.timedelta(hours=40),
            )
    if past.closed_days_ago is None:
        return
    closed = pulled + dt.timedelta(days=past.pulled_days_ago - past.closed_days_ago)
    for i, wo in enumerate(wos):
        _act(
            users["confirmer1"],
            wo.pk,
            Step(Action.CONFIRM),
            closed - dt.timedelta(hours=len(wos) - 1 - i),
        )


def _act(actor: User, work_order_id: int, step: Step, at: dt.datetime) -> None:
    work_order_act(actor=actor, work_order_id=work_order_id, step=step, at=at)


def _order(
    ext: str, customer: Customer, product: Product, placed: dt.datetime, status: str
) -> OrderLine:
    stock = StockLevel.objects.filter(product=product).order_by("id").first()
    order = Order.objects.create(
        external_id=ext, customer=customer, placed_at=placed, channel="app"
    )
    return OrderLine.objects.create(
        order=order,
        line_no=1,
        product=product,
        batch_id=stock.batch_id if stock else None,
        warehouse_id=stock.warehouse_id if stock else None,
        quantity=1,
        unit_price=product.price,
        fulfilment_status=status,
        status_changed_at=placed + dt.timedelta(days=2),
    )


FEATURED_ITEMS = tuple(p.item for p in PAST if p.item)
