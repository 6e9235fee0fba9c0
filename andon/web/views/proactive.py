"""Proactive recovery from the andon page: the list of eligible past buyers (a page of them,
the not-yet-reached first), one catalogue action for a selection or all pending within the
role's guide, and the progress of a running job (a small fragment HTMX polls)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from andon.core.errors import DomainError
from andon.core.http import AuthenticatedRequest
from andon.people import rules as people_rules
from andon.pulls.blast import past_buyers_since
from andon.pulls.selectors import andon_view
from andon.recovery import rules as recovery_rules
from andon.recovery.proactive import (
    job_last,
    job_running,
    may_give_proactive,
    past_buyers_page,
    proactive_start,
    proactive_summary,
)
from andon.recovery.selectors import recovery_catalogue
from andon.recovery.tasks import proactive_run_task

from ..access import require, roles
from ..errors import explain

# Past buyers per page of the list.
PAGE = 50


def _offset(request: AuthenticatedRequest) -> int:
    try:
        return max(0, int(request.GET.get("buyers", "0")))
    except ValueError:
        return 0


def progress_context(andon: Any) -> dict[str, Any]:
    summary = proactive_summary(
        andon_id=andon.pk, product_id=andon.product_id, since=past_buyers_since(andon)
    )
    job = job_running(andon_id=andon.pk) if summary.running else job_last(andon_id=andon.pk)
    return {"andon_id": andon.pk, "proactive": summary, "job": job}


def proactive_context(request: AuthenticatedRequest, andon: Any) -> dict[str, Any]:
    """What the andon page's panel shows: the figures, the job's progress, a page of buyers
    and the catalogue with the reader's guide (and whether each action is above it)."""
    ctx = progress_context(andon)
    summary = ctx["proactive"]
    offset = min(_offset(request), max(0, summary.eligible - 1))
    offset -= offset % PAGE
    catalogue = []
    for e in recovery_catalogue(roles=roles(request)):
        cost = Decimal(
            e.action.default_cost if e.action.default_cost is not None else andon.product.price
        )
        catalogue.append(
            {"entry": e, "cost": cost, "above": recovery_rules.is_unusual(cost, e.guide)}
        )
    return {
        **ctx,
        "buyers": past_buyers_page(
            andon_id=andon.pk,
            product_id=andon.product_id,
            since=past_buyers_since(andon),
            pending_count=summary.pending,
            offset=offset,
            limit=PAGE,
        ),
        "buyers_from": offset + 1,
        "buyers_to": min(offset + PAGE, summary.eligible),
        "buyers_prev": offset - PAGE if offset else None,
        "buyers_next": offset + PAGE if offset + PAGE < summary.eligible else None,
        "may_give_proactive": may_give_proactive(request.user),
        "catalogue": catalogue,
    }


def _andon(andon_id: int) -> Any:
    try:
        return andon_view(andon_id=andon_id).andon
    except DomainError:
        raise Http404 from None


@require(people_rules.signed_in)
def proactive_progress(request: AuthenticatedRequest, andon_id: int) -> HttpResponse:
    """The figures and the running job's progress; polls itself while a job runs."""
    return render(
        request, "web/andons/_proactive_progress.html", progress_context(_andon(andon_id))
    )


@require(people_rules.signed_in)
def proactive_create(request: AuthenticatedRequest, andon_id: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:andon", andon_id=andon_id)
    andon = _andon(andon_id)
    scope = request.POST.get("scope", "all")
    chosen = [c for c in request.POST.getlist("customers") if c]
    customers: str | list[str] = chosen if scope != "all" and chosen else "all"
    if scope == "selected" and not chosen:
        messages.error(request, _("Select past buyers, or give it to all pending."))
        return redirect("web:andon", andon_id=andon_id)
    try:
        with transaction.atomic():
            job = proactive_start(
                actor=request.user,
                andon_id=andon.pk,
                product=andon.product,
                since=past_buyers_since(andon),
                action=request.POST.get("action", ""),
                customers=customers,
                reason=request.POST.get("reason", ""),
            )
            transaction.on_commit(lambda: proactive_run_task.enqueue(job.pk))
    except DomainError as e:
        messages.error(request, explain(e))
    else:
        messages.success(
            request,
            _("Proactive recovery started for %(n)d past buyers: a worker reaches them in batches.")
            % {"n": job.total},
        )
    return redirect("web:andon", andon_id=andon_id)
