"""Sentences about a customer: membership changes and launches, integrity decisions, a phone
number revealed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ..formatting import day
from .words import Entry, actor_of, say, typed, with_text


def _membership(msg: Callable[[], str]) -> Callable[[Entry], SafeString]:
    """A membership change: `msg()` (translated when the sentence is read, in the reader's
    language) names %(who)s, %(plan)s, %(customer)s, %(until)s, %(state)s."""

    def sentence_of(e: Entry) -> SafeString:
        d = e.data
        ends = d.get("ends_at")
        return say(
            msg(),
            who=actor_of(e),
            plan=typed(d.get("plan") or "—"),
            customer=typed(d.get("customer") or "—"),
            until=day(dt.datetime.fromisoformat(ends)) if ends else "—",
            state=typed(d.get("state", "")),
        )

    return sentence_of


CUSTOMERS: dict[str, Callable[[Entry], SafeString]] = {
    "membership.started": _membership(
        lambda: _(
            "%(who)s started the %(plan)s membership of customer %(customer)s, until %(until)s."
        )
    ),
    "membership.converted": _membership(
        lambda: _("The %(plan)s trial of customer %(customer)s became a paid membership.")
    ),
    "membership.renewed": _membership(
        lambda: _("The %(plan)s membership of customer %(customer)s was renewed until %(until)s.")
    ),
    "membership.past_due": _membership(
        lambda: _("The %(plan)s membership of customer %(customer)s is past due.")
    ),
    "membership.cancelled": _membership(
        lambda: _("%(who)s cancelled the %(plan)s membership of customer %(customer)s.")
    ),
    "membership.expired": _membership(
        lambda: _("The %(plan)s membership of customer %(customer)s ended.")
    ),
    "membership.synced": _membership(
        lambda: _("The storefront recorded the %(plan)s membership of customer %(customer)s.")
    ),
    "membership.launch_planned": lambda e: say(
        _("%(who)s planned the membership launch %(launch)s of plan %(plan)s."),
        who=actor_of(e),
        launch=typed(e.data.get("code", "")),
        plan=typed(e.data.get("plan", "")),
    ),
    "integrity.signal_decided": lambda e: with_text(
        say(
            _("%(who)s moved integrity signal #%(signal)s from %(old)s to %(new)s"),
            who=actor_of(e),
            signal=e.subject_id,
            old=e.data.get("from", ""),
            new=e.data.get("to", ""),
        ),
        e.data.get("reason"),
    ),
    "customer.phone_revealed": lambda e: say(
        _("%(who)s was shown the full phone number of customer %(customer)s."),
        who=actor_of(e),
        customer=format_html('<span translate="no">{}</span>', e.subject_id),
    ),
}
