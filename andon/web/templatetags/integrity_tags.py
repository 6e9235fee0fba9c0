"""Integrity next to other pages: the signals of an andon in the pull review (team leads),
and a short neutral note on a customer's page for agents."""

from __future__ import annotations

from django import template

from andon.integrity import selectors
from andon.people import rules as people_rules

from ..access import roles

register = template.Library()


@register.inclusion_tag("web/integrity/_review_signals.html", takes_context=True)
def integrity_review(context: template.Context, andon, notes: dict | None = None) -> dict:
    """`notes`: the page's notes read at once (selectors.andons_review_notes), else this
    andon's own (two queries)."""
    request = context.get("request")
    if request is None or not people_rules.may_review_integrity(roles(request)):
        return {"note": None}
    if notes is not None:
        return {"note": notes.get(andon.pk), "andon": andon}
    return {
        "note": selectors.andon_review_note(andon.pk, andon.opened_by.get_username()),
        "andon": andon,
    }


@register.inclusion_tag("web/integrity/_agent_note.html", takes_context=True)
def integrity_agent_note(context: template.Context, customer) -> dict:
    """Agents only, and only that something is being looked at: the frontline serves the
    customer as usual (a signal never changes what an agent may do)."""
    request = context.get("request")
    if request is None:
        return {"show": False}
    r = roles(request)
    if people_rules.may_review_integrity(r) or not people_rules.may_record_contact(r):
        return {"show": False}
    return {"show": selectors.customer_has_open_signal(customer.external_id)}


@register.inclusion_tag("web/integrity/_summary.html", takes_context=True)
def integrity_summary(context: template.Context) -> dict:
    """The Monday review's integrity block: open signals per kind, one click to the page."""
    request = context.get("request")
    if request is None or not people_rules.may_review_integrity(roles(request)):
        return {"rows": None}
    return {"rows": selectors.precision_by_kind()}


@register.inclusion_tag("web/integrity/_product_signals.html", takes_context=True)
def integrity_product(context: template.Context, product) -> dict:
    """Team leads and admins: the clusters of new accounts that target this product."""
    request = context.get("request")
    if request is None or not people_rules.may_review_integrity(roles(request)):
        return {"signals": []}
    return {"signals": selectors.product_signals(product.sku)}
