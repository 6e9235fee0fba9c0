"""How the console writes moments, days and money: one way in every page and sentence.

Moments are written 2026-11-10 21:29 in the console's time zone (ANDON_TIME_ZONE, the formats
in andon/config/formats), inside <time> with the exact instant for machines and the zone for
people who hover; the page footer names the zone once. Money in CNY is ¥39.80 in Chinese and
CN¥39.80 in English (a bare ¥ reads as yen to an English reader), never split across lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, pgettext

DASH = "—"


def zone_label(at: dt.datetime | None = None) -> str:
    """The console's time zone as people read it: "Asia/Shanghai (UTC+08:00)"."""
    local = timezone.localtime(at or timezone.now())
    offset = local.strftime("%z")
    return f"{timezone.get_current_timezone_name()} (UTC{offset[:3]}:{offset[3:]})"


def when(value: dt.datetime | dt.date | None) -> SafeString | str:
    """A moment (or a day) as <time>: 2026-11-10 21:29 in the console's time zone."""
    if value is None:
        return DASH
    if not isinstance(value, dt.datetime):
        return day(value)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_html(
        '<time datetime="{}" title="{}" translate="no">{}</time>',
        local.isoformat(timespec="minutes"),
        zone_label(local),
        formats.date_format(local, "DATETIME_FORMAT"),
    )


def day(value: dt.date | dt.datetime | None) -> SafeString | str:
    """A day as <time>: 2026-11-10 (a moment is first put in the console's time zone)."""
    if value is None:
        return DASH
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return format_html(
        '<time datetime="{}" translate="no">{}</time>',
        value.isoformat(),
        formats.date_format(value, "DATE_FORMAT"),
    )


def cny_text(value: Decimal | int | float | str) -> str:
    amount = intcomma(formats.number_format(Decimal(value), 2, force_grouping=True))
    symbol = "CN¥" if (get_language() or "").startswith("en") else "¥"
    return f"{symbol}{amount}"


def money(value: Decimal | int | float | str | None, currency: str = "CNY") -> SafeString | str:
    """An amount that never breaks across lines; CNY with its symbol, others with their code."""
    if value is None or value == "":
        return DASH
    amount = Decimal(value)
    # A negative amount (a ledger's reversal) reads "−¥50.00": a true minus, before the symbol.
    sign, amount = ("−", -amount) if amount < 0 else ("", amount)
    if currency == "CNY":
        text = cny_text(amount)
    else:
        text = f"{formats.number_format(amount, 2, force_grouping=True)} {currency}"
    return format_html('<span class="money" translate="no">{}{}</span>', sign, text)


def number(value: int | None) -> str:
    """A whole number grouped by thousands: 12,345 is how both languages write it."""
    if value is None:
        return DASH
    return f"{int(value):,}"


def colon() -> str:
    """The separator after a label: ": " in English, the full-width "：" in Chinese."""
    return pgettext("label separator", ": ")
