"""Formatting for the review pages: rates as percentages (through `andon.core.rates`, the one
rounding of rates), and the red/green status badge."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from andon.core.rates import rate_text, target_text

register = template.Library()


@register.filter
def pct(rate: Decimal | None, target: Decimal | None = None) -> str:
    """0.0769 -> "7.7%"; beside a target (`rate|pct:target`) with the places it takes to tell
    them apart ("2.04%" against 2 %); None (nothing reviewed) -> "—"."""
    return rate_text(rate, against=target)


@register.filter
def target_pct(target: Decimal) -> str:
    """A configured target as it is: 0.02 -> "2.0%", 0.0125 -> "1.25%"."""
    return target_text(target)


@register.simple_tag
def kpi_status(status: str) -> str:
    """A badge that says the status in words as well as in colour."""
    words = {"green": _("on target"), "red": _("above target"), "none": _("no reviews")}
    label = capfirst(words.get(status, status))
    return format_html('<span class="kpi-status {}">{}</span>', status, label)
