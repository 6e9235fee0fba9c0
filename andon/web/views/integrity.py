"""The Integrity page (team leads and admins): explained risk signals with filters, measured
precision per kind from people's decisions, one signal's evidence with dismiss / confirm.
Nothing here gates the frontline: these pages only read, and record people's decisions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from andon.core.errors import DomainError
from andon.core.http import AuthenticatedRequest
from andon.integrity import selectors
from andon.integrity import services as integrity
from andon.integrity.selectors import KIND_CHOICES, STATUS_CHOICES, SUBJECT_TYPE_CHOICES
from andon.people import rules as people_rules

from ..access import require

LIMIT = 300


def _filters(request: HttpRequest) -> dict[str, Any]:
    kinds = {k for k, _l in KIND_CHOICES}
    types = {t for t, _l in SUBJECT_TYPE_CHOICES}
    statuses = {s for s, _l in STATUS_CHOICES}
    f: dict[str, Any] = {
        "kind": request.GET.get("kind", "") if request.GET.get("kind") in kinds else "",
        "subject_type": request.GET.get("subject_type", "")
        if request.GET.get("subject_type") in types
        else "",
        "status": request.GET.get("status", "open")
        if request.GET.get("status", "open") in statuses | {""}
        else "open",
        "min_score": "0.5",
    }
    try:
        score = float(request.GET.get("min_score", "0.5"))
        if 0 <= score <= 1:
            f["min_score"] = request.GET.get("min_score", "0.5")
    except ValueError:
        pass
    return f


@require(people_rules.may_review_integrity)
def integrity_index(request: HttpRequest) -> HttpResponse:
    f = _filters(request)
    signals = list(
        selectors.signals_filter(
            kind=f["kind"] or None,
            subject_type=f["subject_type"] or None,
            status=f["status"] or None,
            min_score=float(f["min_score"]),
        )[:LIMIT]
    )
    return render(
        request,
        "web/integrity/index.html",
        {
            "filters": f,
            "rows": [(s, selectors.reasons_text(s)) for s in signals],
            "kinds": KIND_CHOICES,
            "subject_types": SUBJECT_TYPE_CHOICES,
            "statuses": STATUS_CHOICES,
            "precision": selectors.precision_by_kind(),
            "last_scan": selectors.last_scan(),
        },
    )


def _links(signal) -> list[tuple[str, str]]:
    """(label, customer external id) pairs to open from a signal's subject and evidence."""
    ids: list[str] = []
    if signal.subject_type == "customer":
        ids.append(signal.subject)
    elif signal.subject_type == "account-cluster":
        ids.extend(signal.subject.split(","))
    ids.extend(str(c) for c in signal.evidence.get("customers", []) if str(c) not in ids)
    return [(i, i) for i in ids]


@require(people_rules.may_review_integrity)
def signal_detail(
    request: HttpRequest, signal_id: int, *, error: DomainError | None = None, status: int = 200
) -> HttpResponse:
    try:
        signal = selectors.signal_get(signal_id)
    except DomainError:
        raise Http404 from None
    return render(
        request,
        "web/integrity/signal.html",
        {
            "s": signal,
            "reasons": selectors.reasons_text(signal),
            "evidence": sorted(signal.evidence.items()),
            "customers": _links(signal),
            "andon_id": int(signal.subject)
            if signal.subject_type == "andon" and signal.subject.isdigit()
            else None,
            "decisions": selectors.signal_decisions(signal.pk),
            "error": error,
            "sent": request.POST if error else {},
        },
        status=status,
    )


@require(people_rules.may_review_integrity)
def signal_decide(request: AuthenticatedRequest, signal_id: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:integrity_signal", signal_id=signal_id)
    try:
        signal = integrity.signal_decide(
            signal_id=signal_id,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""),
            actor_id=request.user.pk,
        )
    except DomainError as e:
        if e.status == 404:
            raise Http404 from None
        return signal_detail(request, signal_id, error=e, status=e.status)
    messages.success(
        request,
        _("Signal #%(id)s: %(status)s.") % {"id": signal.pk, "status": signal.get_status_display()},
    )
    return redirect("web:integrity_signal", signal_id=signal.pk)
