"""The agent's workspace: find the customer, see their history, record what they said."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from andon.contacts.selectors import contacts_of_customer, reasons_active
from andon.core.errors import DomainError
from andon.core.http import AuthenticatedRequest
from andon.holds.selectors import held_line_ids
from andon.membership.selectors import membership_of_customer
from andon.orders.selectors import customer_get, customer_orders, customers_search
from andon.orders.services import customer_phone_reveal
from andon.people import rules as people_rules
from andon.pulls.selectors import eligibility_for
from andon.pulls.watch import contact_intake_watched as contact_intake
from andon.recovery.selectors import recovery_of_customer

from ..access import require, roles
from ..errors import explain
from ..forms import CHANNELS, ContactForm, SearchForm
from .detection import suggestion_after


@require(people_rules.may_record_contact)
def workspace(request: AuthenticatedRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    ctx = {"form": form, "q": q, "customers": customers_search(q=q)}
    if request.htmx and request.htmx.target == "results":
        return render(request, "web/agent/_results.html", ctx)
    return render(request, "web/agent/workspace.html", ctx)


def _customer(external_id: str):
    try:
        return customer_get(external_id=external_id)
    except DomainError:
        raise Http404 from None


@require(people_rules.may_record_contact)
def customer(request: HttpRequest, external_id: str) -> HttpResponse:
    return _customer_page(request, _customer(external_id))


def _customer_page(
    request: HttpRequest,
    cust,
    *,
    form: ContactForm | None = None,
    error: str = "",
    status: int = 200,
    phone: str = "",
) -> HttpResponse:
    contacts = contacts_of_customer(customer_id=cust.pk)
    recorded = None
    recorded_id = request.GET.get("recorded", "")
    if recorded_id.isdigit():
        recorded = next((c for c in contacts if c.pk == int(recorded_id)), None)
    eligibility = suggestion = None
    if recorded is not None:
        decision = eligibility_for(
            product=recorded.product, reason=recorded.reason, now=timezone.now()
        )
        eligibility = {
            "decision": decision,
            "explanation": decision.explanation(recorded.reason.label),
        }
        suggestion = suggestion_after(recorded)
    orders = customer_orders(customer_id=cust.pk)
    return render(
        request,
        "web/agent/customer.html",
        {
            "customer": cust,
            "orders": orders,
            # Which of the lines shown an andon holds (one query; nothing is marked on a line).
            "held_lines": held_line_ids(
                order_line_ids=[ln.pk for o in orders for ln in o.lines.all()]
            ),
            "contacts": contacts,
            "reasons": reasons_active(),
            "channels": CHANNELS,
            "recorded": recorded,
            "eligibility": eligibility,
            "suggestion": suggestion,
            "form": form,
            "error": error,
            "recovery": recovery_of_customer(cust.pk),
            "membership": membership_of_customer(customer_id=cust.pk),
            "phone": phone,
            "may_reveal": people_rules.may_reveal_phone(roles(request)),
        },
        status=status,
    )


@require(people_rules.may_record_contact)
def contact_create(request: AuthenticatedRequest, external_id: str) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:customer", external_id=external_id)
    cust = _customer(external_id)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _customer_page(request, cust, form=form, status=422)
    d = form.cleaned_data
    try:
        contact = contact_intake(
            actor=request.user,
            customer=cust.external_id,
            order=d["order"],
            line_no=d["line_no"],
            reason=d["reason"],
            text=d["text"],
            channel=d["channel"],
        ).contact
    except DomainError as e:
        return _customer_page(request, cust, form=form, error=explain(e), status=e.status)
    url = reverse("web:customer", kwargs={"external_id": cust.external_id})
    return redirect(f"{url}?recorded={contact.pk}#recorded")


@require(people_rules.may_reveal_phone)
def phone_reveal(request: AuthenticatedRequest, external_id: str) -> HttpResponse:
    """The full number on request (POST: it writes an audit row); HTMX swaps it in place."""
    if request.method != "POST":
        return redirect("web:customer", external_id=external_id)
    try:
        phone = customer_phone_reveal(actor=request.user, external_id=external_id)
    except DomainError:
        raise Http404 from None
    if request.htmx:
        return render(request, "web/agent/_phone.html", {"phone": phone, "revealed": True})
    return _customer_page(request, _customer(external_id), phone=phone)
