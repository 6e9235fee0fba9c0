from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .errors import WorkOrderNotFound
from .models import WorkOrder
from .rules import State


def work_order_get(*, work_order_id: int, for_update: bool = False) -> WorkOrder:
    qs = WorkOrder.objects.select_for_update() if for_update else WorkOrder.objects
    try:
        return qs.select_related("department", "andon").get(pk=work_order_id)
    except WorkOrder.DoesNotExist:
        raise WorkOrderNotFound(
            _("No work order with id %(id)s.") % {"id": work_order_id}, field="id"
        ) from None


def work_orders_list(
    *, department: str | None = None, state: str | None = None, limit: int = 200
) -> QuerySet[WorkOrder]:
    """A department's queue: earliest due first; closed work orders, latest closed first (the
    history anyone looks at is the recent one)."""
    qs = WorkOrder.objects.select_related("department", "andon__product", "andon__reason")
    if department:
        qs = qs.filter(department__code=department)
    if state:
        qs = qs.filter(state=state)
    order = ("-closed_at", "-id") if state == State.CLOSED else ("due_at", "id")
    return qs.order_by(*order)[:limit]


def work_orders_of(*, andon_ids: list[int]) -> dict[int, list[WorkOrder]]:
    result: dict[int, list[WorkOrder]] = {a: [] for a in andon_ids}
    for wo in WorkOrder.objects.filter(andon_id__in=andon_ids).select_related("department"):
        result[wo.andon_id].append(wo)
    return result


def open_work_order_count(*, andon_id: int) -> int:
    return WorkOrder.objects.filter(andon_id=andon_id).exclude(state=State.CLOSED).count()
