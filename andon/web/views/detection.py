"""Detected problems in the console: the Problems page (alerts ranked by GMV at stake, active
problems, shared causes), one problem with its corrections (merge, split, move), and the
pieces other pages include (a product's problems beside the cord, the suggestion after a
contact, shared causes on an andon)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from andon.core.errors import DomainError
from andon.core.http import AuthenticatedRequest
from andon.detection import causes, corrections, selectors
from andon.detection.selectors import ProblemView, Suggestion
from andon.people import rules as people_rules

from ..access import require, roles
from ..errors import explain

WINDOW = dt.timedelta(days=30)


def sparkline(values: list[int], width: int = 96, height: int = 24) -> str:
    """SVG polyline points for a weekly trend (no JavaScript, no chart library)."""
    if not values:
        return ""
    top = max(max(values), 1)
    step = width / max(len(values) - 1, 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for i, v in enumerate(values)
    )


@require(people_rules.signed_in)
def problems_index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    alerts = [(row, sparkline(row.trend)) for row in selectors.alerts_open(now=now)]
    return render(
        request,
        "web/detection/index.html",
        {
            "alerts": alerts,
            "problems": selectors.problems_active(since=now - WINDOW),
            "causes": causes.shared_causes(since=now - WINDOW),
        },
    )


def _view(problem_id: int) -> ProblemView:
    try:
        return selectors.problem_view(problem_id=problem_id)
    except DomainError:
        raise Http404 from None


@require(people_rules.signed_in)
def problem_detail(
    request: HttpRequest, problem_id: int, *, error: str = "", status: int = 200
) -> HttpResponse:
    view = _view(problem_id)
    siblings = [
        v
        for v in selectors.problems_of_product(
            product_id=view.problem.product_id, with_contacts=False, limit=200
        )
        if v.problem.pk != view.problem.pk
    ]
    assignments = {c.pk: c.assignment for c in view.contacts}
    return render(
        request,
        "web/detection/problem.html",
        {
            "v": view,
            "product": view.problem.product,
            "siblings": siblings,
            "assignments": assignments,
            "may_correct": people_rules.may_correct_problems(roles(request)),
            "error": error,
        },
        status=status,
    )


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


@require(people_rules.may_correct_problems)
def problem_correct(request: AuthenticatedRequest, problem_id: int, action: str) -> HttpResponse:
    """One form per correction: merge into another problem, split the ticked contacts out,
    or move the ticked contacts into another problem of the product."""
    if request.method != "POST":
        return redirect("web:problem", problem_id=problem_id)
    contacts = _ids(request.POST.getlist("contacts"))
    other = request.POST.get("target", "")
    try:
        if action == "merge":
            target = corrections.problem_merge(
                actor=request.user, problem_id=problem_id, into_id=int(other or 0)
            )
        elif action == "split":
            target = corrections.problem_split(
                actor=request.user, problem_id=problem_id, contact_ids=contacts
            )
        elif action == "move":
            target = corrections.problem_contacts_move(
                actor=request.user, contact_ids=contacts, problem_id=int(other or 0)
            )
        else:
            raise Http404
    except DomainError as e:
        return problem_detail(request, problem_id, error=explain(e), status=e.status)
    return redirect(reverse("web:problem", kwargs={"problem_id": target.pk}) + "#corrected")


# --- pieces of other pages ------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemCord:
    """A problem on the product page with the cord it is offered with: the cord of its most
    frequent reason code, eligible when enough distinct customers reported the problem within
    that reason's window, however each of them was coded."""

    view: ProblemView
    cord: Any  # web.views.products.Cord of the problem's main reason
    eligible: bool


def problem_cords(product, cords: list, open_problem: str = "") -> dict:
    """Context for the product page's problems (web/detection/_product_problems.html)."""
    now = timezone.now()
    by_reason = {c.reason.code: c for c in cords}
    items = []
    for v in selectors.problems_of_product(product_id=product.pk, since=now - WINDOW, limit=20):
        cord = by_reason.get(v.main_reason or "")
        eligible = False
        if cord is not None:
            since = now - dt.timedelta(days=cord.reason.window_days)
            customers = {k.customer_id for k in v.contacts if k.created_at >= since}
            eligible = len(customers) >= cord.reason.threshold or cord.open_andon is not None
        items.append(ProblemCord(v, cord, eligible))
    return {
        "problem_cords": items,
        "open_problem": int(open_problem) if open_problem.isdigit() else None,
        "product_causes": causes.shared_causes_of(product_id=product.pk, since=now - WINDOW),
    }


def problem_for_cord(product: Any, problem_id: str) -> Any:
    if not problem_id.isdigit():
        return None
    try:
        problem = selectors.problem_get(problem_id=int(problem_id))
    except DomainError:
        return None
    return problem if problem.product_id == product.pk else None


def suggestion_after(contact: Any) -> Suggestion | None:
    return selectors.suggestion_for(contact=contact)


def andon_causes(product_id: int) -> list[causes.SharedCause]:
    return causes.shared_causes_of(product_id=product_id, since=timezone.now() - WINDOW)
