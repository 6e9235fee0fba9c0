"""The words every sentence of the timeline is made of: who acted, what a person typed (never
translated), counts of units and lines, and the sentence with its values put in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext, pgettext

from ..formatting import colon


@dataclass(frozen=True)
class Entry:
    """What a sentence needs of an audit row: its action, actor, subject, data, department."""

    action: str
    actor: str  # the username, "" when the system acted (an import, a catch-up)
    subject_id: str
    data: Mapping[str, Any]
    department: str = ""  # the department's name in the reader's language, when the row has one


def typed(text: Any) -> SafeString:
    """A value typed by a person or named by the business: shown as is, never translated."""
    return format_html('<span translate="no" class="user-text">{}</span>', text)


def actor_of(e: Entry) -> SafeString:
    if not e.actor:
        return format_html("{}", pgettext("who acted", "The system"))
    return format_html('<span translate="no">{}</span>', e.actor)


def with_text(sentence: str, text: Any) -> SafeString:
    """ "<sentence>: <what they typed>", with the colon of the reader's language."""
    if not text:
        return format_html("{}", sentence)
    return format_html("{}{}{}", sentence, colon(), typed(text))


def say(msg: str, **values: Any) -> SafeString:
    """A translated sentence (placeholders `%(name)s`) with escaped values put in; a value may
    be markup built here (a name in its translate="no" span, a <time>)."""
    return mark_safe(
        conditional_escape(msg) % {k: conditional_escape(v) for k, v in values.items()}
    )


def units_of_stock(n: int) -> str:
    return ngettext("%(n)d unit of stock", "%(n)d units of stock", n) % {"n": n}


def batches_in_warehouses(n: int) -> str:
    return ngettext("%(n)d batch in a warehouse", "%(n)d batches in warehouses", n) % {"n": n}


def packed_lines(n: int) -> str:
    return ngettext("%(n)d packed order line", "%(n)d packed order lines", n) % {"n": n}


def parse_when(value: Any) -> Any:
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return value


def parse_day(value: Any) -> Any:
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return value
