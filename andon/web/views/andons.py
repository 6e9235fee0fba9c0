"""The andons list (filtered, searched, a page at a time) and an andon's timeline from the
audit trail, with its evidence contacts and its holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString

from andon.contacts.selectors import contacts_by_ids, reasons_active
from andon.core.errors import DomainError
from andon.core.http import AuthenticatedRequest
from andon.core.selectors import audit_of_andon
from andon.holds.selectors import hold_tallies
from andon.people import rules as people_rules
from andon.people.selectors import departments_by_code
from andon.pulls.blast import blast_radius
from andon.pulls.choices import AndonState
from andon.pulls.selectors import andon_products, andon_view, andons_page, evidence_contact_ids_of
from andon.reviews import rules as review_rules
from andon.reviews.selectors import review_of
from andon.workorders.selectors import disposition_plan

from ..access import require, roles
from ..timeline import Entry, holds_in_words, sentence
from .detection import andon_causes
from .proactive import proactive_context


@dataclass(frozen=True)
class Moment:
    at: dt.datetime
    kind: str  # "contact" (evidence) or "audit"
    item: object
    text: SafeString | None = None


@require(people_rules.signed_in)
def andons_index(request: HttpRequest) -> HttpResponse:
    g = request.GET
    filters = {
        "state": g.get("state", "") if g.get("state") in AndonState.values else "",
        "reason": g.get("reason", ""),
        "sku": g.get("sku", ""),
        "q": g.get("q", "").strip()[:100],
    }
    page = andons_page(
        state=filters["state"],
        reason=filters["reason"],
        sku=filters["sku"],
        q=filters["q"],
        page=g.get("page", 1),
    )
    return render(
        request,
        "web/andons/index.html",
        {
            "page": page,
            "filters": filters,
            "filtered": any(filters.values()),
            "states": AndonState.choices,
            "reasons": reasons_active(),
            "products": andon_products(),
        },
    )


@require(people_rules.signed_in)
def andon_detail(request: AuthenticatedRequest, andon_id: int) -> HttpResponse:
    try:
        view = andon_view(andon_id=andon_id)
    except DomainError:
        raise Http404 from None
    departments = departments_by_code()
    evidence = contacts_by_ids(ids=evidence_contact_ids_of(andon_id=andon_id))
    moments = [Moment(c.created_at, "contact", c) for c in evidence]
    for e in audit_of_andon(andon_id=andon_id):
        data = e.data or {}
        department = departments.get(data.get("department", ""))
        entry = Entry(
            action=e.action,
            actor=e.actor.get_username() if e.actor else "",
            subject_id=e.subject_id,
            data=data,
            department=department.name if department else "",
        )
        moments.append(Moment(e.occurred_at, "audit", e, sentence(entry)))
    moments.sort(key=lambda m: (m.at, m.kind != "contact"))
    review = review_of(andon_id=andon_id)
    return render(
        request,
        "web/andons/detail.html",
        {
            "v": view,
            "moments": moments,
            "plan": disposition_plan(andon_id=andon_id),
            "holds_in_words": holds_in_words(hold_tallies(andon_ids=[andon_id])[andon_id]),
            "evidence": evidence,
            "review": review,
            "may_correct": review is not None
            and review_rules.may_correct(
                roles(request), user_id=request.user.pk, reviewer_id=review.reviewer_id
            ),
            "andon_causes": andon_causes(view.andon.product_id),
            "blast": blast_radius(andon=view.andon),
            **proactive_context(request, view.andon),
        },
    )
