"""Opening work orders and moving them through their states. Cross-domain consequences of a
step (the relist gate after a confirmation) belong to the cord: see pulls.relist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from andon.core.errors import Forbidden, InvalidInput
from andon.core.services import Audit, Event, audit_record, outbox_emit
from andon.holds.rules import Disposition
from andon.holds.selectors import held_goods_exist, hold_ids_of
from andon.people import rules as people_rules
from andon.people.selectors import roles_of

from .errors import DispositionRequired, UnknownHolds, WorkOrderNotFound
from .models import WorkOrder
from .rules import (
    CONFIRMER_ACTIONS,
    DEPARTMENT_ACTIONS,
    FINDINGS_MAX,
    REOPEN_REASON_MAX,
    Action,
    RelistChoice,
    State,
    next_state,
)


@dataclass(frozen=True)
class RouteSpec:
    department_id: int
    department_code: str
    instruction_zh: str
    instruction_en: str
    sla_hours: int


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_instruction(template: str, context: dict[str, str]) -> str:
    """Route templates may name {sku}, {title}, {reason} and {note}; unknown names stay as typed."""
    return template.format_map(_Blank(context))


def work_orders_open(
    *, andon_id: int, sku: str, routes: list[RouteSpec], context: dict[str, str], at: dt.datetime
) -> tuple[list[WorkOrder], list[Event]]:
    """One work order per routed department, in one statement. Returns the orders and their
    `workorder.created` events, for the caller to emit with the rest of its transaction's."""
    orders = WorkOrder.objects.bulk_create(
        WorkOrder(
            andon_id=andon_id,
            department_id=r.department_id,
            state=State.OPEN.value,
            instruction_zh=render_instruction(r.instruction_zh, context),
            instruction_en=render_instruction(r.instruction_en, context),
            created_at=at,
            due_at=at + dt.timedelta(hours=r.sla_hours),
        )
        for r in routes
    )
    codes = {r.department_id: r.department_code for r in routes}
    events = [
        Event(
            "workorder.created",
            {
                "work_order_id": wo.pk,
                "andon_id": andon_id,
                "sku": sku,
                "department": codes[wo.department_id],
                "due_at": wo.due_at.isoformat(),
            },
            product_sku=sku,
        )
        for wo in orders
    ]
    return orders, events


def work_order_lock(*, work_order_id: int) -> WorkOrder:
    """Lock the work order's row and return it as locked. Lock order: after the listing."""
    try:
        return (
            WorkOrder.objects.select_for_update()
            .select_related("department", "andon")
            .get(pk=work_order_id)
        )
    except WorkOrder.DoesNotExist:
        raise WorkOrderNotFound(
            _("No work order with id %(id)s.") % {"id": work_order_id}, field="id"
        ) from None


@dataclass(frozen=True)
class Step:
    action: Action
    findings: str | None = None
    disposition: Disposition | None = None
    hold_dispositions: dict[int, Disposition] | None = None
    reason: str | None = None
    # The last confirmation: relist fully (None, the default) or staged.
    relist: RelistChoice | None = None


def work_order_step(
    *, work_order: WorkOrder, step: Step, actor: User, at: dt.datetime
) -> WorkOrder:
    """Apply one step to a locked work order. Contract: the caller holds the row lock and the
    transaction; the step is checked against the role and the state machine first."""
    _check_role(work_order, step.action, actor)
    new_state = next_state(State(work_order.state), step.action)
    wo = work_order
    changed = ["state"]
    if step.action == Action.START:
        wo.started_at = at
        changed.append("started_at")
    elif step.action == Action.RESOLVE:
        _resolve_fields(wo, step, actor, at)
        changed += ["findings", "disposition", "hold_dispositions", "resolved_at", "resolved_by"]
    elif step.action == Action.CONFIRM:
        wo.closed_at, wo.confirmed_by = at, actor
        changed += ["closed_at", "confirmed_by"]
    elif step.action == Action.REOPEN:
        reason = (step.reason or "").strip()
        if not reason or len(reason) > REOPEN_REASON_MAX:
            raise InvalidInput(
                _("Say why in 1 to %(max)d characters.") % {"max": REOPEN_REASON_MAX},
                field="reason",
            )
        wo.reopen_count += 1
        wo.last_reopen_reason = reason
        changed += ["reopen_count", "last_reopen_reason"]
    wo.state = new_state.value
    wo.save(update_fields=changed)
    _record(wo, step, actor, at)
    return wo


def _check_role(wo: WorkOrder, action: Action, actor: User) -> None:
    roles = roles_of(actor)
    if action in DEPARTMENT_ACTIONS and not people_rules.may_work_on(roles, wo.department.code):
        raise Forbidden(
            _("Only members of this work order's department (%(department)s) act on it.")
            % {"department": wo.department.name},
            field="department",
        )
    if action in CONFIRMER_ACTIONS and not people_rules.may_confirm(roles):
        raise Forbidden(_("Only service confirmers confirm or reopen work orders."))


def _resolve_fields(wo: WorkOrder, step: Step, actor: User, at: dt.datetime) -> None:
    """Findings are required; so is a disposition while the andon holds goods (no default: see
    holds.rules), with per-hold exceptions only for the andon's own holds."""
    findings = (step.findings or "").strip()
    if not findings:
        raise InvalidInput(_("Findings are required to resolve a work order."), field="findings")
    if len(findings) > FINDINGS_MAX:
        raise InvalidInput(
            _("At most %(max)d characters (this one has %(n)d).")
            % {"max": FINDINGS_MAX, "n": len(findings)},
            field="findings",
        )
    overrides = step.hold_dispositions or {}
    if overrides:
        unknown = set(overrides) - hold_ids_of(andon_id=wo.andon_id, ids=list(overrides))
        if unknown:
            raise UnknownHolds(
                _("Holds %(ids)s do not belong to andon %(andon)s.")
                % {"ids": ", ".join(str(i) for i in sorted(unknown)), "andon": wo.andon_id},
                field="holds",
            )
    if step.disposition is None and held_goods_exist(andon_id=wo.andon_id):
        raise DispositionRequired(
            _(
                "Goods are held: say what happens to them (release, fix, return to vendor or "
                "scrap), for all of them and per hold where different. Nothing is released "
                "by default."
            ),
            field="disposition",
        )
    wo.findings = findings
    wo.disposition = step.disposition.value if step.disposition else ""
    wo.hold_dispositions = {str(k): v.value for k, v in overrides.items()}
    wo.resolved_at, wo.resolved_by = at, actor


def _record(wo: WorkOrder, step: Step, actor: User, at: dt.datetime) -> None:
    data = {"state": wo.state, "department": wo.department.code}
    if step.action == Action.RESOLVE:
        data |= {
            "findings": wo.findings,
            "disposition": wo.disposition,
            "hold_dispositions": wo.hold_dispositions,
        }
    if step.action == Action.REOPEN:
        data["reason"] = wo.last_reopen_reason
    audit_record(
        actor_id=actor.pk,
        at=at,
        entries=[
            Audit(
                f"workorder.{_past(step.action)}",
                "work_order",
                wo.pk,
                andon_id=wo.andon_id,
                data=data,
            ),
        ],
    )
    if step.action != Action.START:
        outbox_emit(
            at=at,
            events=[
                Event(
                    f"workorder.{_past(step.action)}",
                    {
                        "work_order_id": wo.pk,
                        "andon_id": wo.andon_id,
                        **data,
                    },
                )
            ],
        )


def _past(action: Action) -> str:
    return {
        Action.START: "started",
        Action.RESOLVE: "resolved",
        Action.CONFIRM: "confirmed",
        Action.REOPEN: "reopened",
    }[action]


def work_orders_reopen_after_watch(
    *, andon_id: int, reason: str, at: dt.datetime
) -> tuple[list[Audit], list[Event]]:
    """A complaint on the same problem during a staged relist's watch: the andon's closed work
    orders are worked again, each with as long as it had the first time. No one's step (the
    watch acts, not a person): the caller records the audit and emits the events in its
    transaction. Contract: the listing is locked."""
    rows = list(
        WorkOrder.objects.select_for_update()
        .filter(andon_id=andon_id, state=State.CLOSED)
        .select_related("department")
        .order_by("pk")
    )
    audit: list[Audit] = []
    events: list[Event] = []
    for wo in rows:
        wo.due_at = at + (wo.due_at - wo.created_at)
        wo.state = State.REOPENED.value
        wo.reopen_count += 1
        wo.last_reopen_reason = reason[:REOPEN_REASON_MAX]
        data = {"state": wo.state, "department": wo.department.code, "reason": reason}
        audit.append(Audit("workorder.reopened", "work_order", wo.pk, andon_id, data))
        events.append(
            Event("workorder.reopened", {"work_order_id": wo.pk, "andon_id": andon_id, **data})
        )
    WorkOrder.objects.bulk_update(rows, ["due_at", "state", "reopen_count", "last_reopen_reason"])
    return audit, events
