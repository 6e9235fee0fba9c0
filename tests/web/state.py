"""Story states built through the services (fast, no browser): contacts recorded, the cord
pulled, work orders resolved; console tests start from these."""

from __future__ import annotations

from andon.contacts.services import contact_record
from andon.holds.rules import Disposition
from andon.pulls.relist import work_order_act
from andon.pulls.services import PullResult, andon_pull
from andon.workorders.models import WorkOrder
from andon.workorders.rules import Action
from andon.workorders.services import Step

from ..world import SKU, World


def two_contacts(world: World, text_a: str = "100-101页未裁开", text_b: str = "同样") -> None:
    contact_record(
        actor=world.users["agent1"],
        customer="cust-a",
        order="order-a",
        line_no=1,
        reason="print-defect",
        text=text_a,
    )
    contact_record(
        actor=world.users["agent2"],
        customer="cust-b",
        order="order-b",
        line_no=1,
        reason="print-defect",
        text=text_b,
    )


def pulled(world: World, note: str = "100-101页未裁开") -> PullResult:
    two_contacts(world)
    return andon_pull(actor=world.users["agent2"], sku=SKU, reason="print-defect", note=note)


def wo(department: str) -> WorkOrder:
    return WorkOrder.objects.get(department__code=department)


def resolved(world: World, findings: str = "已检验") -> None:
    for dept, user in [("vendor-management", "vendor1"), ("warehouse-logistics", "warehouse1")]:
        w = wo(dept)
        work_order_act(actor=world.users[user], work_order_id=w.pk, step=Step(Action.START))
        work_order_act(
            actor=world.users[user],
            work_order_id=w.pk,
            step=Step(Action.RESOLVE, findings=findings, disposition=Disposition.RELEASE),
        )
