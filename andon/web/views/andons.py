"""An andon's timeline from the audit trail, with its evidence contacts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from andon.contacts.selectors import contacts_by_ids
from andon.core.errors import DomainError
from andon.core.selectors import audit_of_andon
from andon.holds.selectors import holds_of
from andon.people.selectors import departments_by_code
from andon.pulls.selectors import andon_view, andons_list, evidence_contact_ids_of

from .detection import andon_causes


@dataclass(frozen=True)
class Moment:
    at: Any
    kind: str  # "contact" (evidence) or "audit"
    item: Any
    department: Any = None


@login_required
def andons_index(request: HttpRequest) -> HttpResponse:
    return render(request, "web/andons/index.html", {"andons": andons_list(limit=100)})


@login_required
def andon_detail(request: HttpRequest, andon_id: int) -> HttpResponse:
    try:
        view = andon_view(andon_id=andon_id)
    except DomainError:
        raise Http404 from None
    departments = departments_by_code()
    evidence = contacts_by_ids(ids=evidence_contact_ids_of(andon_id=andon_id))
    moments = [Moment(c.created_at, "contact", c) for c in evidence] + [
        Moment(e.occurred_at, "audit", e, departments.get((e.data or {}).get("department", "")))
        for e in audit_of_andon(andon_id=andon_id)
    ]
    moments.sort(key=lambda m: (m.at, m.kind != "contact"))
    return render(
        request,
        "web/andons/detail.html",
        {
            "v": view,
            "moments": moments,
            "holds": holds_of(andon_id=andon_id),
            "evidence": evidence,
            "andon_causes": andon_causes(view.andon.product_id),
        },
    )
