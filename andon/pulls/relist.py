"""The relist gate: a work order's step and, on the last confirmation, what it sets off in the
same transaction (the andon closed, the product relisted fully or in stages, the held goods
released or disposed of as the findings say, audit and outbox). Lock order as in
pulls.services: the product's listing row first, then work orders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from andon.catalog.locks import listing_lock
from andon.catalog.models import Product
from andon.catalog.selectors import stock_units
from andon.catalog.services import listing_limit, listing_relist
from andon.catalog.watch import limited_payload
from andon.core.services import Audit, Event, audit_record, outbox_emit
from andon.holds.models import Hold, HoldState
from andon.holds.rules import overridden, planned, planned_default
from andon.holds.services import DispositionPlan, holds_finalize, holds_materialize
from andon.workorders.errors import HoldsWithoutDisposition
from andon.workorders.models import WorkOrder
from andon.workorders.rules import Action, RelistChoice
from andon.workorders.selectors import findings_by_andon, undecided_holds, work_order_get
from andon.workorders.services import Step, work_order_lock, work_order_step

from . import rules
from .models import Andon, AndonState
from .services import listing_events


@dataclass(frozen=True)
class StepResult:
    work_order: WorkOrder
    andon_closed: bool = False
    relisted: bool = False
    holds_finalized: dict[str, int] = field(default_factory=dict)
    # After a relist: the stock the product sells from now, and what the dispositions took
    # out of stock (returned to the vendor or scrapped). Relisted with 0 units on hand is said.
    units_on_hand: int | None = None
    units_removed: int = 0
    # A staged relist: the listing sells at most this many units until the watch ends.
    limited: bool = False


@transaction.atomic
def work_order_act(
    *, actor: User, work_order_id: int, step: Step, at: dt.datetime | None = None
) -> StepResult:
    """One step of a work order. A confirmation may close the andon and, through the relist
    gate, relist the product and carry out the holds' dispositions, in the same transaction."""
    wo = work_order_get(work_order_id=work_order_id)
    product = None
    if step.action == Action.CONFIRM:
        product = listing_lock(product_id=wo.andon.product_id)
    wo = work_order_lock(work_order_id=work_order_id)
    now = at or timezone.now()
    wo = work_order_step(work_order=wo, step=step, actor=actor, at=now)
    if product is None:
        return StepResult(wo)
    return _after_confirmation(wo, product, actor, now, step.relist or RelistChoice())


def _after_confirmation(
    wo: WorkOrder, product: Product, actor: User, now: dt.datetime, relist: RelistChoice
) -> StepResult:
    states = WorkOrder.objects.filter(andon_id=wo.andon_id).values_list("state", flat=True)
    if not rules.andon_is_done(states):
        return StepResult(wo)
    # The relist decides about each held line by its own row: the product's scopes are
    # written out first, under the listing lock this transaction holds already.
    holds_materialize(product_ids=[product.pk])
    undecided = undecided_holds(andon_id=wo.andon_id)
    if undecided:
        raise HoldsWithoutDisposition(
            _(
                "ANDON-%(id)s holds %(n)d rows of goods that no department has decided on (they "
                "were held after every work order was resolved): reopen a work order so that its "
                "department says what happens to them."
            )
            % {"id": wo.andon_id, "n": undecided},
            field="disposition",
        )
    Andon.objects.filter(pk=wo.andon_id).update(state=AndonState.CLOSED, closed_at=now)
    audit = [Audit("andon.closed", "andon", wo.andon_id, wo.andon_id)]
    events = [
        Event(
            "andon.closed", {"andon_id": wo.andon_id, "sku": product.sku}, product_sku=product.sku
        )
    ]
    open_left = Andon.objects.filter(product=product, state=AndonState.OPEN).count()
    relisted = rules.may_relist(open_left) and (
        listing_limit(
            product=product,
            max_units=relist.max_units or 0,
            until=relist.until(now),
            andon_id=wo.andon_id,
            at=now,
        )
        if relist.staged
        else listing_relist(product=product, at=now)
    )
    if not relisted:
        audit_record(actor_id=actor.pk, at=now, entries=audit)
        outbox_emit(at=now, events=events)
        return StepResult(wo, andon_closed=True)
    before = stock_units(product_id=product.pk)
    finalized = holds_finalize(product_id=product.pk, plans=_plans(product), at=now)
    on_hand = stock_units(product_id=product.pk)
    stock = {"units_on_hand": on_hand, "units_removed": before - on_hand}
    if relist.staged:
        limited = limited_payload(product)
        audit.append(
            Audit("listing.limited", "product", product.sku, wo.andon_id, {**limited, **stock})
        )
        events.append(Event("listing.limited", limited, product_sku=product.sku))
    else:
        audit.append(Audit("listing.relisted", "product", product.sku, wo.andon_id, stock))
        events += listing_events(product, "listing.relisted", True, stock)
    audit.append(Audit("holds.finalized", "product", product.sku, wo.andon_id, finalized))
    events.append(
        Event("hold.finalized", {"sku": product.sku, "holds": finalized}, product_sku=product.sku)
    )
    audit_record(actor_id=actor.pk, at=now, entries=audit)
    outbox_emit(at=now, events=events)
    return StepResult(
        wo,
        andon_closed=True,
        relisted=True,
        holds_finalized=finalized,
        units_on_hand=on_hand,
        units_removed=before - on_hand,
        limited=relist.staged,
    )


def _plans(product: Product) -> dict[int, DispositionPlan]:
    """Per andon with goods still held: the most cautious of its departments' findings, for
    every hold, with per-hold exceptions weighed against the other departments' defaults
    (holds.rules). Two queries, whatever the number of andons."""
    andon_ids = list(
        Hold.objects.filter(andon__product=product, state=HoldState.HELD)
        .values_list("andon_id", flat=True)
        .distinct()
    )
    plans: dict[int, DispositionPlan] = {}
    for andon_id, findings in findings_by_andon(andon_ids=andon_ids).items():
        per_hold = {h: planned(h, findings) for h in overridden(findings)}
        plans[andon_id] = DispositionPlan(
            default=planned_default(findings),
            overrides={h: d for h, d in per_hold.items() if d is not None},
        )
    return plans
