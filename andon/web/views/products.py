"""The product page and its cord: eligibility in words, one click, one line, one confirm."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from andon.catalog.selectors import product_get, stock_of
from andon.contacts.selectors import contacts_recent_of_product, reasons_active
from andon.core.errors import DomainError
from andon.core.http import AuthenticatedRequest
from andon.people import rules as people_rules
from andon.pulls.rules import Eligibility
from andon.pulls.selectors import AndonView, eligibility_for, open_andons_of
from andon.pulls.services import PullResult, andon_pull

from ..access import require, roles
from ..errors import explain
from ..forms import PullForm
from ..links import cord_url
from .detection import problem_cords, problem_for_cord


@dataclass(frozen=True)
class Cord:
    """One reason's row on the product page: its evidence and what the cord would do."""

    reason: Any  # the reason's row, as contacts.selectors.reasons_active() gives it
    eligibility: Eligibility
    explanation: str
    contacts: list
    open_andon: AndonView | None

    @property
    def can_pull(self) -> bool:
        return self.open_andon is not None or self.eligibility.eligible


def _product(sku: str):
    try:
        return product_get(sku=sku)
    except DomainError:
        raise Http404 from None


def _cords(product, now: dt.datetime) -> list[Cord]:
    reasons = reasons_active()
    widest = max((r.window_days for r in reasons), default=30)
    recent = contacts_recent_of_product(
        product_id=product.pk, since=now - dt.timedelta(days=widest), limit=500
    )
    open_by_reason = {v.andon.reason_id: v for v in open_andons_of(product=product)}
    cords = []
    for r in reasons:
        decision = eligibility_for(product=product, reason=r, now=now)
        cords.append(
            Cord(
                reason=r,
                eligibility=decision,
                explanation=decision.explanation(r.label),
                contacts=[
                    c for c in recent if c.reason_id == r.pk and c.created_at >= decision.since
                ],
                open_andon=open_by_reason.get(r.pk),
            )
        )
    # Reasons customers are talking about first: that is where the cord is wanted.
    return sorted(cords, key=lambda c: (c.open_andon is None, -len(c.contacts), c.reason.code))


def _reported(cords: list[Cord]) -> tuple[list[Cord], list[Cord]]:
    """The reasons with something to act on (reports in the window, an open andon, or enough
    customers), and the quiet others, which the page lists in one line: a box with a disabled
    button for each of them only hid the ones that matter."""
    shown: list[Cord] = []
    quiet: list[Cord] = []
    for c in cords:
        active = c.contacts or c.open_andon or c.eligibility.distinct_customers
        (shown if active else quiet).append(c)
    return shown, quiet


def _problem_cord_open(problems: dict) -> bool:
    """Whether the page opens a detected problem's cord (as web/detection/_product_problems
    does: the problem is listed, offered with a reason, and that reason is active)."""
    return any(
        p.view.problem.pk == problems["open_problem"] and p.cord and p.cord.reason.active
        for p in problems["problem_cords"]
    )


def _page(
    request: AuthenticatedRequest,
    product,
    *,
    status: int = 200,
    open_reason: str = "",
    form: PullForm | None = None,
    error: str = "",
    result: PullResult | None = None,
) -> HttpResponse:
    cords, quiet = _reported(_cords(product, timezone.now()))
    # The problem whose cord is open: the link's, or the refused pull's (shown again).
    asked = request.GET.get("problem") or (str(form.data.get("problem", "")) if form else "")
    problems = problem_cords(product, cords, asked)
    if _problem_cord_open(problems):
        # The suggestion's link names the reason and the problem: only the problem's line
        # opens, so that one input (not two) asks for the autofocus.
        open_reason = ""
    ctx = {
        "product": product,
        "stock": stock_of(product_id=product.pk),
        "cords": cords,
        "quiet": quiet,
        **problems,
        "open_reason": open_reason,
        "form": form,
        "error": error,
        "result": result,
        "may_pull": people_rules.may_pull(roles(request)),
    }
    template = "web/products/_panel.html" if request.htmx else "web/products/detail.html"
    return render(request, template, ctx, status=status)


@require(people_rules.signed_in)
def product_detail(request: AuthenticatedRequest, sku: str) -> HttpResponse:
    return _page(request, _product(sku), open_reason=request.GET.get("cord", ""))


@require(people_rules.may_pull)
def cord_open(request: AuthenticatedRequest, sku: str) -> HttpResponse:
    """The click on a reason's cord: the one-line input, focused, with the reason shown."""
    product = _product(sku)
    reason = request.GET.get("reason", "")
    if not request.htmx:
        return redirect(cord_url(product.sku, reason))
    cord = next((c for c in _cords(product, timezone.now()) if c.reason.code == reason), None)
    if cord is None:
        raise Http404
    return render(
        request,
        "web/products/_cord_form.html",
        {
            "product": product,
            "c": cord,
            "form": PullForm(initial={"reason": reason}),
            "problem": problem_for_cord(product, request.GET.get("problem", "")),
        },
    )


@require(people_rules.may_pull)
def pull(request: AuthenticatedRequest, sku: str) -> HttpResponse:
    product = _product(sku)
    if request.method != "POST":
        return redirect("web:product", sku=sku)
    form = PullForm(request.POST)
    if not form.is_valid():
        return _page(
            request, product, status=422, form=form, open_reason=request.POST.get("reason", "")
        )
    try:
        result = andon_pull(
            actor=request.user,
            sku=product.sku,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            problem=form.cleaned_data["problem"],
        )
    except DomainError as e:
        return _page(
            request,
            product,
            status=e.status,
            form=form,
            error=explain(e),
            open_reason=form.cleaned_data["reason"],
        )
    product.refresh_from_db()
    return _page(request, product, result=result)
