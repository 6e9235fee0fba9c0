"""The recovery form on a contact, as an HTMX fragment the agent workspace can embed
(`hx-get` it into the contact; each action is one click, with cost and note prefilled).
Opened directly, the same form renders as a page."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from andon.contacts.models import Contact
from andon.core.errors import DomainError, InvalidInput
from andon.core.http import AuthenticatedRequest
from andon.people.selectors import roles_of

from . import rules
from .selectors import recovery_catalogue, recovery_of_customer
from .services import recovery_give


@login_required
def contact_recovery(request: AuthenticatedRequest, contact_id: int) -> HttpResponse:
    r = roles_of(request.user)
    if not rules.may_give_recovery(r):
        raise PermissionDenied
    contact = (
        Contact.objects.select_related("customer", "product", "reason")
        .filter(pk=contact_id)
        .first()
    )
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
    context = {
        "contact": contact,
        "catalogue": recovery_catalogue(roles=r),
        "error": error,
        "given": given,
        "posted": request.POST if error else {},
        "history": recovery_of_customer(contact.customer_id),
    }
    template = "recovery/_contact.html" if request.htmx else "recovery/contact_page.html"
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
