"""The cord's writes.

Lock order, everywhere: the product's listing row first (catalog.locks), then work
orders. Every cord operation on a product queues behind that one lock, which is what makes
join-or-open and the relist gate safe across processes; the partial unique index on open
andons backs it up. Each service is one transaction: suppression, holds, work orders,
credit, audit and outbox events commit together or not at all (SPEC: "Atomic effects").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from andon.catalog.locks import listing_lock, listings_lock
from andon.catalog.models import Product
from andon.catalog.selectors import stock_units
from andon.catalog.services import listing_limit, listing_relist, listing_suppress
from andon.catalog.watch import limited_payload
from andon.contacts.models import ReasonCode
from andon.contacts.selectors import reason_get
from andon.core.errors import Forbidden, InvalidInput, UnknownReference
from andon.core.services import Audit, Event, audit_record, outbox_emit
from andon.detection.errors import ProblemNotFound
from andon.detection.models import Problem
from andon.detection.selectors import problem_resolved
from andon.holds.models import Hold, HoldState
from andon.holds.rules import overridden, planned, planned_default
from andon.holds.scopes import holds_materialize
from andon.holds.selectors import HoldCounts, hold_counts
from andon.holds.services import (
    DispositionPlan,
    holds_finalize,
    holds_place,
    holds_place_missing,
)
from andon.people import rules as people_rules
from andon.people.selectors import roles_of, team_of
from andon.workorders.errors import HoldsWithoutDisposition
from andon.workorders.models import WorkOrder
from andon.workorders.rules import Action, RelistChoice
from andon.workorders.selectors import findings_by_andon, undecided_holds, work_order_get
from andon.workorders.services import (
    RouteSpec,
    Step,
    work_order_lock,
    work_order_step,
    work_orders_open,
)

from . import rules
from .blast import BlastRadius, blast_payload, blast_radius
from .first_report import first_report
from .models import Andon, AndonEvidence, AndonState, CordPull
from .selectors import eligibility_for, evidence_contact_ids


@dataclass(frozen=True)
class PullResult:
    andon: Andon
    joined: bool
    work_orders: list[WorkOrder]
    holds: HoldCounts
    eligibility: rules.Eligibility
    # What the cord caught and who else is exposed, read in the pull's transaction (issue 12).
    blast: BlastRadius | None = None


@transaction.atomic
def andon_pull(
    *,
    actor: User,
    sku: str,
    reason: str,
    note: str,
    problem: int | None = None,
    at: dt.datetime | None = None,
) -> PullResult:
    """Pull the cord on a product for a reason: join the open andon for that reason, or open
    one when the eligibility rule is met. Never waits for anyone's approval. `at` is now
    unless history is being recorded (the demo).

    `problem` (a detected problem of the product, optional): the pull is for that problem.
    It is eligible when enough distinct customers reported the problem, however each was
    coded; it joins the open andon of that problem if there is one; its evidence lists the
    problem's contacts. Detection's rows are only read, never locked."""
    if not people_rules.may_pull(roles_of(actor)):
        raise Forbidden(_("Only agents and team leads pull the cord."))
    note = rules.clean_note(note)
    reason_code = reason_get(code=reason)
    product = listing_lock(sku=sku, as_reference=True)
    found = _problem_of(product, problem) if problem is not None else None
    now = at or timezone.now()
    decision = eligibility_for(product=product, reason=reason_code, now=now, problem=found)
    open_andon = None
    if found is not None:
        open_andon = Andon.objects.filter(
            product=product, problem=found, state=AndonState.OPEN
        ).first()
    if open_andon is None:
        open_andon = Andon.objects.filter(
            product=product, reason=reason_code, state=AndonState.OPEN
        ).first()
    if open_andon is not None:
        return _join(open_andon, product, reason_code, decision, actor, note, now, found)
    if not decision.eligible:
        raise rules.NotEligible(decision, reason_code.label)
    return _open(product, reason_code, decision, actor, note, now, found)


def _problem_of(product: Product, problem_id: int) -> Problem:
    try:
        problem = problem_resolved(problem_id=problem_id)
    except ProblemNotFound as e:
        raise UnknownReference(e.detail, field="problem") from None
    if problem.product_id != product.pk:
        raise InvalidInput(
            _("Problem %(id)s is about another product than %(sku)s.")
            % {"id": problem_id, "sku": product.sku},
            field="problem",
        )
    return problem


def _open(
    product: Product,
    reason: ReasonCode,
    decision: rules.Eligibility,
    actor: User,
    note: str,
    now: dt.datetime,
    problem: Problem | None = None,
) -> PullResult:
    routes = [
        RouteSpec(
            r.department_id, r.department.code, r.instruction_zh, r.instruction_en, r.sla_hours
        )
        for r in reason.routes.select_related("department").order_by("department__code")
    ]
    if not routes:
        raise InvalidInput(
            _(
                "The reason “%(reason)s” routes to no department: an admin must set its routing "
                "first."
            )
            % {"reason": reason.label},
            field="reason",
        )
    team = team_of(actor.pk)
    andon = Andon.objects.create(
        product=product,
        reason=reason,
        note=note,
        opened_at=now,
        opened_by=actor,
        team=team,
        team_lead=team.lead if team else None,
        problem=problem,
        first_report_at=first_report(product.pk, reason.pk, decision.since),
    )
    evidence = _link_evidence(andon, product, reason, decision.since, problem)
    CordPull.objects.create(andon=andon, agent=actor, note=note, pulled_at=now, credited=True)
    suppressed = listing_suppress(product=product, at=now)
    held = holds_place(andon_id=andon.pk, product_id=product.pk, at=now)
    # The packed lines it caught are the scope's count: no second read of what was held.
    radius = blast_radius(andon=andon, product=product, packed=held.order_lines)
    context = {"sku": product.sku, "title": product.title, "reason": reason.label, "note": note}
    work_orders, work_order_events = work_orders_open(
        andon_id=andon.pk, sku=product.sku, routes=routes, context=context, at=now
    )
    # One emit for the whole pull; the storefront's stop-sell comes first in the sequence.
    outbox_emit(
        at=now,
        events=[
            *_listing_events(product, "listing.suppressed", suppressed),
            Event(
                "andon.pulled",
                {**_andon_payload(andon, product, reason, evidence), **blast_payload(radius)},
                product_sku=product.sku,
            ),
            Event(
                "hold.placed",
                {
                    "andon_id": andon.pk,
                    "sku": product.sku,
                    "stock_units": held.stock_units,
                    "order_lines": held.order_lines,
                },
                product_sku=product.sku,
            ),
            *work_order_events,
        ],
    )
    audit_record(
        actor_id=actor.pk,
        at=now,
        entries=[
            Audit(
                "andon.pulled",
                "andon",
                andon.pk,
                andon.pk,
                {
                    "sku": product.sku,
                    "reason": reason.code,
                    "note": note,
                    "evidence_contacts": evidence,
                    "distinct_customers": decision.distinct_customers,
                    "problem": problem.pk if problem else None,
                },
            ),
            *(
                [Audit("listing.suppressed", "product", product.sku, andon.pk)]
                if suppressed
                else []
            ),
            Audit(
                "holds.placed",
                "andon",
                andon.pk,
                andon.pk,
                {"stock_units": held.stock_units, "order_lines": held.order_lines},
            ),
            *[
                Audit(
                    "workorder.created",
                    "work_order",
                    wo.pk,
                    andon.pk,
                    {"department": r.department_code, "due_at": wo.due_at.isoformat()},
                )
                for wo, r in zip(work_orders, routes, strict=True)
            ],
            Audit("pull.credited", "andon", andon.pk, andon.pk, {"agent": actor.get_username()}),
        ],
    )
    return PullResult(andon, False, work_orders, held, decision, radius)


def _join(
    andon: Andon,
    product: Product,
    reason: ReasonCode,
    decision: rules.Eligibility,
    actor: User,
    note: str,
    now: dt.datetime,
    problem: Problem | None = None,
) -> PullResult:
    """A second pull for the same reason (or problem) adds evidence to the open andon: no new
    work orders."""
    evidence = _link_evidence(andon, product, reason, decision.since, problem)
    CordPull.objects.create(andon=andon, agent=actor, note=note, pulled_at=now, joined=True)
    audit_record(
        actor_id=actor.pk,
        at=now,
        entries=[
            Audit(
                "andon.joined",
                "andon",
                andon.pk,
                andon.pk,
                {"note": note, "evidence_contacts": evidence},
            ),
        ],
    )
    outbox_emit(
        at=now,
        events=[
            Event(
                "andon.joined",
                {
                    "andon_id": andon.pk,
                    "sku": product.sku,
                    "reason": reason.code,
                    "note": note,
                    "agent": actor.get_username(),
                },
                product_sku=product.sku,
            )
        ],
    )
    work_orders = list(andon.work_orders.select_related("department").order_by("id"))
    return PullResult(
        andon,
        True,
        work_orders,
        hold_counts(andon_ids=[andon.pk])[andon.pk],
        decision,
        blast_radius(andon=andon, product=product),
    )


def _link_evidence(
    andon: Andon,
    product: Product,
    reason: ReasonCode,
    since: dt.datetime,
    problem: Problem | None = None,
) -> list[int]:
    ids = evidence_contact_ids(product=product, reason=reason, since=since, problem=problem)
    AndonEvidence.objects.bulk_create(
        [AndonEvidence(andon=andon, contact_id=c) for c in ids], ignore_conflicts=True
    )
    return ids


def _listing_events(
    product: Product, event_type: str, changed: bool, extra: dict | None = None
) -> list[Event]:
    if not changed:
        return []
    return [
        Event(
            event_type,
            {
                "sku": product.sku,
                "listing_status": product.listing_status,
                **(extra or {}),
            },
            product_sku=product.sku,
        )
    ]


def _andon_payload(andon: Andon, product: Product, reason: ReasonCode, evidence: list[int]) -> dict:
    return {
        "andon_id": andon.pk,
        "sku": product.sku,
        "reason": reason.code,
        "note": andon.note,
        "agent": andon.opened_by.get_username(),
        "evidence_contacts": evidence,
    }


def holds_catch_up(*, product_ids: Iterable[int], actor_id: int | None = None) -> int:
    """While a product is stopped, stock and packed lines that arrive later (a storefront
    sync, an import) are held by its open andons too: nothing of it ships before the
    findings. Call it in the transaction of the write, after the write. Returns how many rows
    it newly held; one query when no product concerned is stopped."""
    ids = set(product_ids)
    stopped = list(
        Andon.objects.filter(product_id__in=ids, state=AndonState.OPEN).values_list(
            "pk", "product_id", "product__sku"
        )
    )
    if not stopped:
        return 0
    with transaction.atomic():
        listings_lock(product_ids={p for _, p, _ in stopped})
        return _hold_what_arrived(stopped, actor_id)


def _hold_what_arrived(stopped: list[tuple[int, int, str]], actor_id: int | None) -> int:
    now = timezone.now()
    audit, events, total = [], [], 0
    for andon_id, product_id, sku in stopped:
        stock_rows, lines = holds_place_missing(andon_id=andon_id, product_id=product_id, at=now)
        if stock_rows or lines:
            total += stock_rows + lines
            data = {"stock_rows": stock_rows, "order_lines": lines, "arrived_while_stopped": True}
            audit.append(Audit("holds.placed", "andon", andon_id, andon_id, data))
            events.append(
                Event("hold.placed", {"andon_id": andon_id, "sku": sku, **data}, product_sku=sku)
            )
    if audit:
        audit_record(actor_id=actor_id, at=now, entries=audit)
        outbox_emit(at=now, events=events)
    return total


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
        events += _listing_events(product, "listing.relisted", True, stock)
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
