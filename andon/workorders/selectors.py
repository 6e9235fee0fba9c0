from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from andon.holds.models import Hold, HoldKind, HoldState
from andon.holds.rules import (
    SEVERITY,
    Disposition,
    Finding,
    overridden,
    planned,
    planned_default,
)
from andon.holds.scopes import pending_lines
from andon.holds.selectors import holds_of_andons

from .errors import WorkOrderNotFound
from .models import WorkOrder
from .rules import State


def work_order_get(*, work_order_id: int) -> WorkOrder:
    try:
        return WorkOrder.objects.select_related("department", "andon").get(pk=work_order_id)
    except WorkOrder.DoesNotExist:
        raise WorkOrderNotFound(
            _("No work order with id %(id)s.") % {"id": work_order_id}, field="id"
        ) from None


def work_orders_list(
    *,
    department: str | None = None,
    state: str | None = None,
    limit: int = 200,
    departments: Collection[str] | None = None,
) -> QuerySet[WorkOrder]:
    """A department's queue: earliest due first; closed work orders, latest closed first (the
    history anyone looks at is the recent one). `departments`: only these (the reader's)."""
    # Each card names who resolved and who confirmed: read with the page, not per card.
    qs = WorkOrder.objects.select_related(
        "department", "andon__product", "andon__reason", "resolved_by", "confirmed_by"
    )
    if department:
        qs = qs.filter(department__code=department)
    if departments is not None:
        qs = qs.filter(department__code__in=list(departments))
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


# A work order's disposition counts once it is resolved (and while it stays closed); one that
# is being worked again (reopened) or not resolved yet has not said anything.
SAID_STATES = frozenset({State.RESOLVED, State.CLOSED})


def finding_of(wo: WorkOrder) -> Finding | None:
    """What a work order's resolution says about the held goods; None until it is resolved."""
    if wo.state not in SAID_STATES:
        return None
    return Finding(
        Disposition(wo.disposition) if wo.disposition else None,
        {int(h): Disposition(d) for h, d in (wo.hold_dispositions or {}).items()},
    )


DISPOSITION_LABELS = dict(WorkOrder.DISPOSITION_CHOICES)


def disposition_label(d: Disposition | None) -> str:
    return str(DISPOSITION_LABELS[d.value]) if d is not None else ""


@dataclass(frozen=True)
class Said:
    """One department's word on one hold."""

    disposition: Disposition | None
    resolved: bool  # False: the work order has not been resolved yet
    exception: bool = False  # named for this hold, unlike the department's disposition for all

    @property
    def label(self) -> str:
        return disposition_label(self.disposition)


@dataclass(frozen=True)
class HoldPlan:
    hold: Hold
    said: tuple[Said, ...]  # per work order of the plan, in its order
    plan: Disposition | None  # None: nobody has said anything about this hold yet

    @property
    def plan_label(self) -> str:
        return disposition_label(self.plan)


@dataclass(frozen=True)
class PlanTotal:
    disposition: Disposition | None
    stock_units: int
    order_lines: int

    @property
    def label(self) -> str:
        return disposition_label(self.disposition)


@dataclass(frozen=True)
class DispositionPlanView:
    """What the confirmer checks before confirming: every hold of the andon, what each
    department's finding says about it, and what will happen to it (the most cautious)."""

    andon_id: int
    work_orders: list[WorkOrder]
    findings: list[Finding | None]  # per work order; None: not resolved yet
    default: Disposition | None
    rows: list[HoldPlan]
    totals: list[PlanTotal]  # over every held unit, not only the rows shown
    more: int  # held rows beyond those listed

    @property
    def default_label(self) -> str:
        return disposition_label(self.default)

    @property
    def held(self) -> bool:
        return any(t.stock_units or t.order_lines for t in self.totals)

    @property
    def pending(self) -> bool:
        """Some department has not resolved yet: the plan may still change."""
        return any(f is None for f in self.findings)

    @property
    def unplanned(self) -> bool:
        """Goods are held that no department has decided on yet."""
        return any(t.disposition is None and (t.stock_units or t.order_lines) for t in self.totals)


def disposition_plan(
    *, andon_id: int, limit: int = 200, materialized: bool = False
) -> DispositionPlanView:
    """The andon's disposition plan as it stands (`disposition_plans` for one andon)."""
    return disposition_plans(andon_ids=[andon_id], limit=limit, materialized=materialized)[andon_id]


def disposition_plans(
    *, andon_ids: list[int], limit: int = 200, materialized: bool = False
) -> dict[int, DispositionPlanView]:
    """Each andon's disposition plan as it stands. Five queries, whatever the number of
    andons and holds: the lines of pending scopes, the work orders, the held goods per andon
    (aggregated), those named one by one, and the first `limit` holds of each andon to list.

    Writes nothing: the packed lines of a pending scope (holds.scopes) are counted in the
    totals and in `more`, not listed, since they have no hold to name yet. A caller showing the
    plan for a decision by hold (the confirm queue, the API's work order) calls the service
    holds.services.holds_materialize first, and says so (`materialized`): an andon whose scope
    was written out never has a pending one again, so the read of pending lines is left out."""
    ids = list(dict.fromkeys(andon_ids))
    pending = {} if materialized else pending_lines(andon_ids=ids)
    wos: dict[int, list[WorkOrder]] = {a: [] for a in ids}
    for w in WorkOrder.objects.filter(andon_id__in=ids).select_related("department").order_by("id"):
        wos[w.andon_id].append(w)
    findings = {a: [finding_of(w) for w in wos[a]] for a in ids}
    said = {a: [f for f in findings[a] if f is not None] for a in ids}
    named = {a: overridden(said[a]) for a in ids}
    held = Hold.objects.filter(andon_id__in=ids, state=HoldState.HELD)
    # Per andon: held rows, stock units, order lines.
    all_held: dict[int, tuple[int, int, int]] = {
        r["andon_id"]: (r["rows"], r["units"] or 0, r["lines"])
        for r in held.values("andon_id").annotate(
            rows=Count("id"),
            units=Sum("quantity", filter=Q(kind=HoldKind.STOCK)),
            lines=Count("id", filter=Q(kind=HoldKind.ORDER_LINE)),
        )
    }
    for a, (lines, _units) in pending.items():
        rows, units, held_lines = all_held.get(a, (0, 0, 0))
        all_held[a] = (rows + lines, units, held_lines + lines)
    named_held: dict[int, list[Hold]] = {a: [] for a in ids}
    all_named = {h for a in ids for h in named[a]}
    if all_named:
        for h in held.filter(id__in=all_named).only("id", "andon_id", "kind", "quantity"):
            if h.pk in named[h.andon_id]:
                named_held[h.andon_id].append(h)
    listed = holds_of_andons(andon_ids=ids, limit=limit)
    return {
        a: _plan(
            a, wos[a], findings[a], said[a], all_held.get(a, (0, 0, 0)), named_held[a], listed[a]
        )
        for a in ids
    }


def _plan(
    andon_id: int,
    wos: list[WorkOrder],
    findings: list[Finding | None],
    said: list[Finding],
    held: tuple[int, int, int],
    named_held: list[Hold],
    holds: list[Hold],
) -> DispositionPlanView:
    default = planned_default(said)
    rows_held, units_held, lines_held = held
    # The held goods nobody named one by one: all held, less those named.
    rest_rows = rows_held - len(named_held)
    rest_units = units_held - sum(h.quantity for h in named_held if h.kind == HoldKind.STOCK)
    rest_lines = lines_held - sum(1 for h in named_held if h.kind == HoldKind.ORDER_LINE)
    totals: dict[Disposition | None, tuple[int, int]] = {}
    if rest_rows:
        totals[default] = (rest_units, rest_lines)
    for h in named_held:
        units, lines = totals.get(planned(h.pk, said), (0, 0))
        if h.kind == HoldKind.STOCK:
            units += h.quantity
        else:
            lines += 1
        totals[planned(h.pk, said)] = (units, lines)
    rows = [
        HoldPlan(
            h,
            tuple(
                Said(f.for_hold(h.pk), True, h.pk in f.overrides) if f else Said(None, False)
                for f in findings
            ),
            planned(h.pk, said) if h.state == HoldState.HELD else None,
        )
        for h in holds
    ]
    listed = sum(1 for h in holds if h.state == HoldState.HELD)
    return DispositionPlanView(
        andon_id=andon_id,
        work_orders=wos,
        findings=findings,
        default=default,
        rows=rows,
        # Undecided first (what the confirmer must not miss), then the most cautious.
        totals=[
            PlanTotal(d, u, n)
            for d, (u, n) in sorted(
                totals.items(), key=lambda kv: -1 if kv[0] is None else -SEVERITY[kv[0]]
            )
        ],
        more=max(0, rows_held - listed),
    )


def findings_by_andon(*, andon_ids: list[int]) -> dict[int, list[Finding]]:
    """What the resolved work orders of each andon say about its held goods, in one query."""
    out: dict[int, list[Finding]] = {a: [] for a in andon_ids}
    for wo in WorkOrder.objects.filter(andon_id__in=andon_ids).only(
        "andon_id", "state", "disposition", "hold_dispositions"
    ):
        finding = finding_of(wo)
        if finding is not None:
            out[wo.andon_id].append(finding)
    return out


def undecided_holds(*, andon_id: int) -> int:
    """Held rows of the andon that no resolved work order decided on (all of its departments
    resolved while nothing was held, and goods arrived after). Contract: the andon's scope is
    materialized (the relist does it first)."""
    findings = findings_by_andon(andon_ids=[andon_id])[andon_id]
    if planned_default(findings) is not None:
        return 0
    return (
        Hold.objects.filter(andon_id=andon_id, state=HoldState.HELD)
        .exclude(id__in=overridden(findings))
        .count()
    )
