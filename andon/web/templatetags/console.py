"""The console's one set of filters and tags: moments, days, money, status pills, the label
colon of each language (andon/web/formatting.py says how), links and role navigation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext

from andon.contacts.selectors import reasons_all
from andon.flywheel.inbox import unread_count
from andon.orders.rules import mask_address, mask_phone
from andon.people import rules as people_rules
from andon.workorders.rules import is_overdue

from .. import formatting, links
from ..access import roles

register = template.Library()


@register.filter(is_safe=True)
def when(value: dt.datetime | dt.date | None) -> SafeString | str:
    """`{{ x.created_at|when }}`: 2026-11-10 21:29 in the console's time zone."""
    return formatting.when(value)


@register.filter(is_safe=True)
def day(value: dt.date | dt.datetime | None) -> SafeString | str:
    """`{{ x.due_on|day }}`: 2026-11-10."""
    return formatting.day(value)


@register.filter(is_safe=True)
def cny(value: Decimal | int | float | None) -> SafeString | str:
    """`{{ price|cny }}`: ¥1,000,000.00 in Chinese, CN¥1,000,000.00 in English, unbroken."""
    return formatting.money(value)


@register.filter(is_safe=True)
def money(value: Decimal | int | float | None, currency: str = "CNY") -> SafeString | str:
    """`{{ c.amount|money:c.currency }}`."""
    return formatting.money(value, currency or "CNY")


@register.filter
def number(value: int | None) -> str:
    """`{{ n|number }}`: 12,345, grouped by thousands."""
    return formatting.number(value)


@register.filter
def masked_phone(phone: str) -> str:
    """`{{ customer.phone|masked_phone }}`: 138****4567; the full number only on request."""
    return mask_phone(phone or "")


@register.filter
def masked_address(address: str) -> str:
    """`{{ customer.address|masked_address }}`: the first characters of the street only."""
    return mask_address(address or "")


@register.filter
def p_value(value: float | None) -> str:
    """A test's p-value as a reader takes it in: four places at most, and "< 0.0001" rather
    than a row of zeros that reads as impossible."""
    if value is None:
        return "—"
    if value < 0.0001:
        return "< 0.0001"
    return f"{value:.4f}".rstrip("0").rstrip(".")


@register.simple_tag
def time_zone() -> str:
    """The console's time zone, as the footer names it once on every page."""
    return formatting.zone_label()


@register.simple_tag
def colon() -> str:
    """`{% translate "Note" %}{% colon %}`: ": " in English, "：" in Chinese."""
    return formatting.colon()


@register.simple_tag
def pill(value: str, label: str, id: str = "") -> SafeString:
    """`{% pill wo.state wo.get_state_display %}`: a status as a coloured pill, its label
    capitalised ("In progress", not the raw "in progress"), never wrapped mid-word."""
    if id:
        return format_html('<span id="{}" class="badge {}">{}</span>', id, value, capfirst(label))
    return format_html('<span class="badge {}">{}</span>', value, capfirst(label))


@register.filter
def overdue(wo: Any) -> bool:
    """`{% if wo|overdue %}`: past its due time while the department still has to act."""
    return is_overdue(wo.state, wo.due_at, timezone.now())


@register.simple_tag
def overdue_mark() -> SafeString:
    return format_html('<span class="badge overdue">{}</span>', pgettext("work order", "overdue"))


@register.simple_tag
def due(wo: Any) -> SafeString:
    """`{% due wo %}`: a work order's due time, marked "overdue" (in words and in red) while
    the department still has to act on it past that time."""
    if not overdue(wo):
        return format_html('<span class="due">{}</span>', formatting.when(wo.due_at))
    return format_html(
        '<span class="due overdue">{} {}</span>', formatting.when(wo.due_at), overdue_mark()
    )


@register.simple_tag
def reasons_counted(view: Any) -> SafeString:
    """`{% reasons_counted v %}`: how a problem's contacts were coded, by the reasons' labels
    in the reader's language ("Print/binding defect ×2, Wrong item ×1"), not their codes."""
    labels = {c.reason.code: c.reason.label for c in view.contacts}
    if set(view.reasons) - set(labels):
        labels |= {r.code: r.label for r in reasons_all()}
    return format_html_join(
        gettext(", "),
        '<span class="reason">{}</span> ×{}',
        ((labels.get(code, code), n) for code, n in view.reasons.items()),
    )


@register.simple_tag
def cord_url(sku: str, reason: str, problem: int | None = None) -> str:
    """`{% cord_url sku reason [problem] %}`: the product page with that reason's (or that
    problem's) cord open, its line focused."""
    return links.cord_url(sku, reason, problem)


def _inbox_unread(context: template.Context, user_id: int) -> int:
    """The inbox page has counted its unread already (`inbox_unread`): not asked twice."""
    counted = context.get("inbox_unread")
    return counted if isinstance(counted, int) else unread_count(user_id=user_id)


@register.inclusion_tag("web/_nav.html", takes_context=True)
def console_nav(context: template.Context) -> dict:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"show": False}
    r = roles(request)
    service = people_rules.may_record_contact(r)
    return {
        "show": True,
        # The loop closed: news of their pulls waits for service people in the inbox.
        "inbox_unread": _inbox_unread(context, request.user.pk) if service else 0,
        "request": request,
        "service": people_rules.may_record_contact(r),
        "lead": r.has(people_rules.Role.TEAM_LEAD),
        "departments": sorted(r.department_codes),
        "confirmer": people_rules.may_confirm(r),
        "manager": people_rules.may_see_kpis(r),
        "member_kpis": people_rules.may_see_member_kpis(r),
        "admin": people_rules.may_configure(r),
    }
