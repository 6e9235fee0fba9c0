"""Proactive recovery from the andon page: the figures (reached, pending, cost, contacted
anyway) and one action for all pending past buyers; a worker runs it in batches."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from andon.core.errors import DomainError
from andon.core.http import AuthenticatedRequest
from andon.people import rules as people_rules
from andon.pulls.blast import past_buyers_since
from andon.pulls.selectors import andon_view
from andon.recovery.proactive import proactive_start
from andon.recovery.tasks import proactive_run_task

from ..access import require
from ..errors import explain


@require(people_rules.signed_in)
def proactive_create(request: AuthenticatedRequest, andon_id: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:andon", andon_id=andon_id)
    try:
        andon = andon_view(andon_id=andon_id).andon
    except DomainError:
        raise Http404 from None
    try:
        with transaction.atomic():
            job = proactive_start(
                actor=request.user,
                andon_id=andon.pk,
                product=andon.product,
                since=past_buyers_since(andon),
                action=request.POST.get("action", ""),
                customers="all",
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
