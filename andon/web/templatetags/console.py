"""Formatting that follows the active language: money in CNY, role navigation."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import number_format
from django.utils.translation import get_language

from andon.people import rules as people_rules

from .. import links
from ..access import roles

register = template.Library()


@register.filter
def cny(value: Decimal | int | float | None) -> str:
    """CNY the way each language writes it: ¥1,000,000.00 in Chinese, CN¥1,000,000.00 in
    English (the plain ¥ would read as yen to an English reader)."""
    if value is None:
        return ""
    amount = intcomma(number_format(Decimal(value), 2, force_grouping=True))
    symbol = "CN¥" if (get_language() or "").startswith("en") else "¥"
    return f"{symbol}{amount}"


@register.filter
def cny_signed(value: Decimal | int | float | None) -> str:
    """A ledger amount: a reversal reads "−¥50.00" (the sign before the symbol, a true minus)."""
    if value is None:
        return ""
    return f"−{cny(-Decimal(value))}" if Decimal(value) < 0 else cny(value)


@register.simple_tag
def cord_url(sku: str, reason: str) -> str:
    """`{% cord_url sku reason %}`: the product page with that reason's cord open, focused."""
    return links.cord_url(sku, reason)


@register.inclusion_tag("web/_nav.html", takes_context=True)
def console_nav(context: template.Context) -> dict:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"show": False}
    r = roles(request)
    return {
        "show": True,
        "request": request,
        "service": people_rules.may_record_contact(r),
        "lead": r.has(people_rules.Role.TEAM_LEAD),
        "departments": sorted(r.department_codes),
        "confirmer": people_rules.may_confirm(r),
        "manager": people_rules.may_see_kpis(r),
        "admin": people_rules.may_configure(r),
    }
