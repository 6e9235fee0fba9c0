"""Department queues (start, resolve with findings and dispositions) and the confirmer's
queue (confirm or reopen). Each step is one call of the cord's `work_order_act`."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from andon.core.errors import DomainError
from andon.core.http import AuthenticatedRequest
from andon.holds.choices import HoldKind, HoldState
from andon.holds.rules import Disposition
from andon.holds.selectors import hold_tallies, holds_of, holds_of_andons
from andon.holds.services import holds_materialize
from andon.people import rules as people_rules
from andon.people.selectors import departments_by_code
from andon.pulls.relist import StepResult, work_order_act
from andon.workorders.rules import Action, State, relist_choice
from andon.workorders.selectors import (
    DispositionPlanView,
    disposition_plan,
    disposition_plans,
    work_order_get,
    work_orders_list,
)
from andon.workorders.services import Step

from ..access import require
from ..errors import explain
from ..forms import RelistForm, ReopenForm, ResolveForm
from ..timeline import holds_in_words


def _card(
    wo,
    mode: str,
    holds: list | None = None,
    plan: DispositionPlanView | None = None,
    **extra,
) -> dict:
    # The confirmer (and anyone only looking) sees every hold's plan: what each department
    # said and the most cautious result, before confirming. The plan lists the holds itself.
    # A queue passes each card's holds (or plan), read for all its cards at once. Reads only:
    # a caller whose card names holds for a decision materialized the andon's scope first.
    if plan is None and mode != "department":
        plan = disposition_plan(andon_id=wo.andon_id)
    if plan:
        holds = [r.hold for r in plan.rows]
    elif holds is None:
        holds = holds_of(andon_id=wo.andon_id)
    resolve_form = extra.pop("resolve_form", None) or ResolveForm(
        hold_ids=[h.pk for h in holds], prefix=f"wo{wo.pk}"
    )
    # Each held row carries its own disposition control, beside what it holds.
    rows = [(h, resolve_form[f"hold-{h.pk}"]) for h in holds]
    result: StepResult | None = extra.get("result")
    # After a relist: what became of the held goods, in units and rows (not a count of rows
    # that read as units).
    finalized = (
        holds_in_words(hold_tallies(andon_ids=[wo.andon_id])[wo.andon_id])
        if result and result.holds_finalized
        else ""
    )
    return {
        "wo": wo,
        "mode": mode,
        "can_start": mode == "department" and wo.state in (State.OPEN, State.REOPENED),
        "can_resolve": mode == "department" and wo.state in (State.IN_PROGRESS, State.REOPENED),
        "can_confirm": mode == "confirmer" and wo.state == State.RESOLVED,
        "stock_rows": [r for r in rows if r[0].kind == HoldKind.STOCK],
        "line_rows": [r for r in rows if r[0].kind == HoldKind.ORDER_LINE],
        "resolve_form": resolve_form,
        "finalized": bool(finalized),
        "finalized_text": finalized,
        "plan": plan,
        "held_any": any(h.state == HoldState.HELD for h in holds),
        "reopen_form": extra.pop("reopen_form", None) or ReopenForm(prefix=f"wo{wo.pk}"),
        "relist_form": extra.pop("relist_form", None) or RelistForm(prefix=f"wo{wo.pk}"),
        **extra,
    }


@require(people_rules.may_work_on, "code")
def department_queue(request: HttpRequest, code: str) -> HttpResponse:
    department = departments_by_code(codes=[code]).get(code)
    if department is None:
        raise Http404
    show_closed = request.GET.get("closed") == "1"
    # Every work order still to do, whatever the department's history: the selector's limit
    # applies per state, so years of closed work orders never push an open one off the page.
    states = [s for s in State if show_closed or s != State.CLOSED]
    wos = sorted(
        (w for s in states for w in work_orders_list(department=code, state=s.value)),
        key=lambda w: (w.due_at, w.pk),
    )
    andon_ids = list({w.andon_id for w in wos})
    # Each card's resolve form names the held lines by their holds: write out the pending
    # scopes (holds.scopes) before reading them.
    holds_materialize(andon_ids=andon_ids)
    holds = holds_of_andons(andon_ids=andon_ids)
    return render(
        request,
        "web/queues/department.html",
        {
            "department": department,
            "cards": [_card(w, "department", holds[w.andon_id]) for w in wos],
            "show_closed": show_closed,
        },
    )


@require(people_rules.may_confirm)
def confirm_queue(request: HttpRequest) -> HttpResponse:
    wos = work_orders_list(state=State.RESOLVED.value)
    andon_ids = [w.andon_id for w in wos]
    # The confirmer decides on the plan hold by hold: every held line listed by its hold.
    holds_materialize(andon_ids=andon_ids)
    plans = disposition_plans(andon_ids=andon_ids, materialized=True)
    cards = [_card(w, "confirmer", plan=plans[w.andon_id]) for w in wos]
    return render(request, "web/queues/confirm.html", {"cards": cards})


def _step(action: Action, request: HttpRequest, wo) -> tuple[Step | None, dict]:
    """The step the form asks for, or None and the bound form with its errors."""
    prefix = f"wo{wo.pk}"
    if action == Action.RESOLVE:
        form = ResolveForm(
            request.POST,
            prefix=prefix,
            # The holds its card listed (written then); nothing written here: the step may
            # yet be refused.
            hold_ids=[h.pk for h in holds_of(andon_id=wo.andon_id)],
        )
        if not form.is_valid():
            return None, {"resolve_form": form}
        return Step(
            action,
            findings=form.cleaned_data["findings"],
            disposition=Disposition(d) if (d := form.cleaned_data["disposition"]) else None,
            hold_dispositions={h: Disposition(d) for h, d in form.hold_dispositions().items()},
        ), {"resolve_form": form}
    if action == Action.REOPEN:
        reopen = ReopenForm(request.POST, prefix=prefix)
        if not reopen.is_valid():
            return None, {"reopen_form": reopen}
        return Step(action, reason=reopen.cleaned_data["reason"]), {"reopen_form": reopen}
    if action == Action.CONFIRM:
        relist = RelistForm(request.POST, prefix=prefix)
        if not relist.is_valid():
            return None, {"relist_form": relist}
        d = relist.cleaned_data
        staged = d["relist"] == "staged"
        try:
            choice = relist_choice(
                d["relist"] or "full",
                d["max_units"] if staged else None,
                d["watch_days"] if staged else None,
            )
        except DomainError as e:
            relist.add_error(e.field if e.field in relist.fields else None, e.detail)
            return None, {"relist_form": relist}
        return Step(action, relist=choice), {"relist_form": relist}
    return Step(action), {}


@require(people_rules.may_act_on_work_orders)
def work_order_step(request: AuthenticatedRequest, work_order_id: int, action: str) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:home")
    try:
        act = Action(action)
        wo = work_order_get(work_order_id=work_order_id)
    except (ValueError, DomainError):
        raise Http404 from None
    mode = "confirmer" if act in (Action.CONFIRM, Action.REOPEN) else "department"
    step, forms = _step(act, request, wo)
    if step is None:
        return _respond(request, wo, mode, status=422, **forms)
    try:
        result: StepResult = work_order_act(actor=request.user, work_order_id=wo.pk, step=step)
    except DomainError as e:
        return _respond(request, wo, mode, status=e.status, error=explain(e), **forms)
    return _respond(
        request, work_order_get(work_order_id=wo.pk), mode, result=result, done=act.value
    )


def _respond(
    request: AuthenticatedRequest, wo, mode: str, *, status: int = 200, **extra
) -> HttpResponse:
    # A step done without HTMX goes back to its queue, which reads (and writes out) afresh.
    if status < 400 and not request.htmx:
        if mode == "confirmer":
            return redirect(reverse("web:confirm_queue"))
        return redirect(reverse("web:department_queue", kwargs={"code": wo.department.code}))
    # Someone refused for their role sees the work order, not forms they cannot use.
    # A refused request writes nothing: its card does not write out the pending scopes
    # (holds.scopes), it shows the holds written already. After a step done, the card is
    # one to decide on again (resolve, confirm): its held lines are written out first.
    if status >= 400 and mode == "department" and status != 403:
        extra["holds"] = holds_of(andon_id=wo.andon_id)
    elif status >= 400:
        extra["plan"] = disposition_plan(andon_id=wo.andon_id)
    else:
        holds_materialize(andon_ids=[wo.andon_id])
        if mode != "department":
            extra["plan"] = disposition_plan(andon_id=wo.andon_id, materialized=True)
    ctx = _card(wo, "view" if status == 403 else mode, **extra)
    if request.htmx:
        return render(request, "web/queues/_card.html", ctx, status=status)
    return render(request, "web/queues/step_error.html", ctx, status=status)
