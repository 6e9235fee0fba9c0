"""Sentences of what follows a pull: the credit and the bonus, the review and its correction,
corrective actions, service recovery."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from andon.recovery.choices import KindChoices
from andon.reviews.choices import ActionKindChoices, RootCauseChoices

from ..formatting import day, money
from .words import Entry, actor_of, parse_day, say, with_text


def _reviewed(e: Entry) -> SafeString:
    d = e.data
    if d.get("verdict") == "valid":
        return with_text(
            say(_("%(who)s reviewed the pull: valid."), who=actor_of(e)), d.get("note")
        )
    cause = dict(RootCauseChoices.choices).get(d.get("root_cause") or "", d.get("root_cause"))
    return with_text(
        say(
            _("%(who)s reviewed the pull: invalid, root cause %(cause)s."),
            who=actor_of(e),
            cause=cause or "—",
        ),
        d.get("note"),
    )


def _action_opened(e: Entry) -> SafeString:
    kind = dict(ActionKindChoices.choices).get(e.data.get("kind", ""), e.data.get("kind"))
    return say(
        _("Corrective action opened (%(kind)s), due %(due)s."),
        kind=kind or "—",
        due=day(parse_day(e.data.get("due_on"))),
    )


def _bonus(e: Entry) -> SafeString:
    d = e.data
    return say(
        _("A bonus of %(amount)s was credited to %(agent)s."),
        amount=money(d.get("amount"), d.get("currency") or "CNY"),
        agent=format_html('<span translate="no">{}</span>', d.get("agent", "")),
    )


def _corrected(e: Entry) -> SafeString:
    d = e.data
    if d.get("verdict") == "valid":
        said = say(_("%(who)s corrected the verdict from invalid to valid"), who=actor_of(e))
    else:
        cause = dict(RootCauseChoices.choices).get(d.get("root_cause") or "", d.get("root_cause"))
        if d.get("old_verdict") == "invalid":
            said = say(
                _("%(who)s corrected the root cause to %(cause)s"),
                who=actor_of(e),
                cause=cause or "—",
            )
        else:
            said = say(
                _("%(who)s corrected the verdict from valid to invalid, root cause %(cause)s"),
                who=actor_of(e),
                cause=cause or "—",
            )
    return with_text(said, d.get("reason"))


def _bonus_reversed(e: Entry) -> SafeString:
    d = e.data
    amount = d.get("amount") or "0"
    return say(
        _(
            "A correction line took back the bonus of %(amount)s credited to %(agent)s: the "
            "verdict was corrected; this is not a penalty."
        ),
        amount=money(str(abs(Decimal(str(amount)))), d.get("currency") or "CNY"),
        agent=format_html('<span translate="no">{}</span>', d.get("agent", "")),
    )


def _recovery(e: Entry) -> SafeString:
    d = e.data
    # The kind in the reader's language ("coupon"), not the catalogue entry's code.
    kind = dict(KindChoices.choices).get(d.get("kind") or "", d.get("action") or "—")
    return say(
        _("%(who)s gave service recovery (%(action)s, %(cost)s)."),
        who=actor_of(e),
        action=kind,
        cost=money(d.get("cost")),
    )


AFTER: dict[str, Callable[[Entry], SafeString]] = {
    "pull.credited": lambda e: say(
        _("The pull was credited to %(agent)s: a bonus once a review finds it valid."),
        agent=format_html('<span translate="no">{}</span>', e.data.get("agent", "")),
    ),
    "andon.reviewed": _reviewed,
    "corrective_action.opened": _action_opened,
    "corrective_action.done": lambda e: say(
        _("%(who)s marked the corrective action done."), who=actor_of(e)
    ),
    "bonus.credited": _bonus,
    "andon.review_corrected": _corrected,
    "bonus.reversed": _bonus_reversed,
    "recovery.given": _recovery,
}
