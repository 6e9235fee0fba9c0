"""Formatting for the review pages: rates as percentages, and the red/green status badge."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def pct(rate: Decimal | None) -> str:
    """0.025 -> "2.5%"; None (nothing reviewed) -> "—"."""
    if rate is None:
        return "—"
    return f"{number_format(Decimal(rate) * 100, 1)}%"


@register.simple_tag
def kpi_status(status: str) -> str:
    """A badge that says the status in words as well as in colour."""
    words = {"green": _("on target"), "red": _("above target"), "none": _("no reviews")}
    label = capfirst(words.get(status, status))
    return format_html('<span class="kpi-status {}">{}</span>', status, label)
