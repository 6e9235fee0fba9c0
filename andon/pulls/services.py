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
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from andon.catalog.locks import listing_lock, listings_lock
from andon.catalog.models import Product
from andon.catalog.services import listing_suppress
from andon.contacts.models import ReasonCode, ReasonRoute
from andon.contacts.selectors import reason_with_routes
from andon.core.errors import Forbidden, InvalidInput, UnknownReference
from andon.core.services import Audit, Event, audit_and_outbox, audit_record, outbox_emit
from andon.core.sql import any_of
from andon.detection.errors import ProblemNotFound
from andon.detection.models import Problem
from andon.detection.selectors import problem_resolved
from andon.holds.selectors import HoldCounts, hold_counts
from andon.holds.services import (
    holds_place,
    holds_place_missing,
)
from andon.people import rules as people_rules
from andon.people.selectors import roles_of, team_ids_of
from andon.workorders.models import WorkOrder
from andon.workorders.services import (
    RouteSpec,
    work_orders_open,
)

from . import rules
from .blast import BlastRadius, StockHeld, blast_payload, blast_radius
from .models import Andon, AndonEvidence, AndonState, CordPull
from .opening import andon_write
from .selectors import PullFacts, pull_facts


@dataclass(frozen=True)
class PullResult:
    andon: Andon
    joined: bool
    work_orders: list[WorkOrder]
    holds: HoldCounts
    eligibility: rules.Eligibility
    # What the cord caught and who else is exposed, read in the pull's transaction (issue 12).
    blast: BlastRadius | None = None
    # The contacts linked as the andon's evidence, all pulls together.
    evidence: int = 0


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
    reason_code, routes = reason_with_routes(code=reason)
    product = listing_lock(sku=sku, as_reference=True)
    found = _problem_of(product, problem) if problem is not None else None
    now = at or timezone.now()
    facts = pull_facts(product=product, reason=reason_code, now=now, problem=found)
    if facts.open_andon_id is not None:
        open_andon = Andon.objects.get(pk=facts.open_andon_id)
        return _join(open_andon, product, reason_code, facts, actor, note, now)
    if not facts.decision.eligible:
        raise rules.NotEligible(facts.decision, reason_code.label)
    return _open(product, reason_code, routes, facts, actor, note, now, found)


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
    rows: list[ReasonRoute],
    facts: PullFacts,
    actor: User,
    note: str,
    now: dt.datetime,
    problem: Problem | None = None,
) -> PullResult:
    decision = facts.decision
    routes = [
        RouteSpec(
            r.department_id, r.department.code, r.instruction_zh, r.instruction_en, r.sla_hours
        )
        for r in rows
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
    team = team_ids_of(actor)
    andon = Andon(
        product=product,
        reason=reason,
        note=note,
        opened_at=now,
        opened_by=actor,
        team_id=team.team_id,
        team_lead_id=team.lead_id,
        problem=problem,
        first_report_at=facts.first_report_at,
    )
    evidence = facts.evidence
    credit = CordPull(agent=actor, note=note, pulled_at=now, credited=True)
    andon_write(andon=andon, evidence=evidence, credit=credit)
    suppressed = listing_suppress(product=product, at=now)
    placed = holds_place(andon_id=andon.pk, product_id=product.pk, at=now)
    held = HoldCounts(stock_units=placed.stock_units, order_lines=placed.order_lines)
    # What it caught comes back from the holds' writes: no second read of what was held.
    radius = blast_radius(
        andon=andon,
        product=product,
        packed=placed.order_lines,
        stock=[StockHeld(warehouse=w, batch=b, units=n) for w, b, n in placed.stock],
    )
    context = {"sku": product.sku, "title": product.title, "reason": reason.label, "note": note}
    work_orders, work_order_events = work_orders_open(
        andon_id=andon.pk, sku=product.sku, routes=routes, context=context, at=now
    )
    # One emit for the whole pull; the storefront's stop-sell comes first in the sequence.
    # The events and the audit go in together (one statement on PostgreSQL).
    audit_and_outbox(
        actor_id=actor.pk,
        at=now,
        events=[
            *listing_events(product, "listing.suppressed", suppressed),
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
    # The answer names each work order's department: those of the routes, not read again.
    for wo, r in zip(work_orders, rows, strict=True):
        wo.department = r.department
    return PullResult(andon, False, work_orders, held, decision, radius, len(evidence))


def _join(
    andon: Andon,
    product: Product,
    reason: ReasonCode,
    facts: PullFacts,
    actor: User,
    note: str,
    now: dt.datetime,
) -> PullResult:
    """A second pull for the same reason (or problem) adds evidence to the open andon: no new
    work orders."""
    evidence = _link_evidence(andon, facts.evidence)
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
        facts.decision,
        blast_radius(andon=andon, product=product),
        andon.evidence_links.count(),
    )


def _link_evidence(andon: Andon, ids: list[int]) -> list[int]:
    AndonEvidence.objects.bulk_create(
        [AndonEvidence(andon=andon, contact_id=c) for c in ids], ignore_conflicts=True
    )
    return ids


def listing_events(
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
        Andon.objects.filter(any_of(Andon, "product", ids), state=AndonState.OPEN).values_list(
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
