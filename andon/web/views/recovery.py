"""The recovery form on a contact, as an HTMX fragment the agent workspace can embed
(`hx-get` it into the contact; each action is one click, with cost and note prefilled).
Opened directly, the same form renders as a page."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from andon.contacts.selectors import contact_get
from andon.core.errors import DomainError, InvalidInput
from andon.core.http import AuthenticatedRequest
from andon.membership.selectors import live_membership
from andon.people import rules as people_rules
from andon.recovery.selectors import recovery_catalogue, recovery_of_customer
from andon.recovery.services import recovery_give

from ..access import require, roles


@require(people_rules.may_give_recovery)
def contact_recovery(request: AuthenticatedRequest, contact_id: int) -> HttpResponse:
    contact = contact_get(contact_id=contact_id)
    if contact is None:
        raise Http404
    error = given = None
    status = 200
    if request.method == "POST":
        try:
            given = recovery_give(
                actor=request.user,
                contact_id=contact.pk,
                action=request.POST.get("action", ""),
                cost=_cost(request.POST.get("cost", "")),
                note=request.POST.get("note"),
                reason_above_guide=request.POST.get("reason_above_guide", ""),
            )
        except DomainError as e:
            error, status = e, 422
    # The membership gesture (the story's 98折) has just started a trial: say so in the panel.
    joined = (
        live_membership(customer_id=contact.customer_id)
        if given is not None and given.action.kind == "membership"
        else None
    )
    context = {
        "membership": joined,
        "contact": contact,
        "catalogue": recovery_catalogue(roles=roles(request)),
        "error": error,
        "given": given,
        "posted": request.POST if error else {},
        "history": recovery_of_customer(contact.customer_id),
    }
    template = "web/recovery/_contact.html" if request.htmx else "web/recovery/contact_page.html"
    return render(request, template, context, status=status)


def _cost(raw: str) -> Decimal | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise InvalidInput(
            _("The cost is a number of CNY, like 5 or 39.80."), field="cost"
        ) from None
