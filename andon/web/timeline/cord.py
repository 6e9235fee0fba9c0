"""Sentences of the cord's own story: the contact, the pull, the stop-sell and the holds, the
work orders, the relist (staged or full), the watch that reopens, proactive recovery; and an
andon's holds in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from andon.holds.choices import HoldState
from andon.holds.selectors import HoldTally

from ..formatting import colon, when
from .words import (
    Entry,
    actor_of,
    batches_in_warehouses,
    packed_lines,
    parse_when,
    say,
    units_of_stock,
    with_text,
)


def _pulled(e: Entry) -> SafeString:
    n = int(e.data.get("distinct_customers") or 0)
    sentence = say(
        ngettext(
            "%(who)s pulled the cord (%(n)s customer reported it)",
            "%(who)s pulled the cord (%(n)s customers reported it)",
            n,
        ),
        who=actor_of(e),
        n=n,
    )
    return with_text(sentence, e.data.get("note"))


def _joined(e: Entry) -> SafeString:
    return with_text(
        say(_("%(who)s pulled again and joined the open andon"), who=actor_of(e)),
        e.data.get("note"),
    )


def _holds_placed(e: Entry) -> SafeString:
    d = e.data
    lines = packed_lines(int(d.get("order_lines") or 0))
    if d.get("reopened"):
        later = _("Reopened by the watch, the andon holds again: %(stock)s, %(lines)s.")
    elif d.get("arrived_while_stopped"):
        later = _("Arrived while the product was stopped, and held too: %(stock)s, %(lines)s.")
    else:
        stock = units_of_stock(int(d.get("stock_units") or 0))
        return say(_("%(stock)s and %(lines)s were put on hold."), stock=stock, lines=lines)
    # Holds placed after the pull record the warehouse batches they took, not units.
    return say(later, stock=batches_in_warehouses(int(d.get("stock_rows") or 0)), lines=lines)


def _wo(e: Entry) -> SafeString:
    return format_html('<span translate="no">WO-{}</span>', e.subject_id)


def _dept(e: Entry) -> SafeString:
    return format_html('<span translate="no">{}</span>', e.department or e.data.get("department"))


def _wo_created(e: Entry) -> SafeString:
    return say(
        _("Work order %(wo)s opened for %(dept)s, due %(due)s."),
        wo=_wo(e),
        dept=_dept(e),
        due=when(parse_when(e.data.get("due_at"))),
    )


def _hold_states(counts: Mapping[str, int]) -> str:
    labels = dict(HoldState.choices)
    return _("; ").join(
        ngettext("%(n)d hold %(state)s", "%(n)d holds %(state)s", int(n))
        % {"n": int(n), "state": labels.get(state, state)}
        for state, n in counts.items()
    )


def _limited(e: Entry) -> SafeString:
    d = e.data
    try:
        until = when(dt.datetime.fromisoformat(str(d.get("until"))))
    except ValueError:
        until = "—"
    return say(
        _(
            "The product was relisted in stages: at most %(units)s units until %(until)s. A "
            "complaint on the same problem before then stops it again."
        ),
        units=d.get("max_units") or 0,
        until=until,
    )


def _reopened(e: Entry) -> SafeString:
    d = e.data
    n = int(d.get("work_orders") or 0)
    work_orders = ngettext("its %(n)d work order", "its %(n)d work orders", n) % {"n": n}
    return say(
        _(
            "A complaint on the same problem during the watch (contact #%(contact)s) stopped "
            "the product again: the andon and %(work_orders)s are reopened."
        ),
        contact=d.get("contact") or "—",
        work_orders=work_orders,
    )


def _proactive(e: Entry) -> SafeString:
    d = e.data
    n = int(d.get("customers") or 0)
    who = ngettext(
        "%(n)d past buyer who had not contacted us",
        "%(n)d past buyers who had not contacted us",
        n,
    ) % {"n": n}
    said = say(
        _("%(who)s gave %(action)s (%(cost)s CNY each) to %(customers)s, proactively"),
        who=actor_of(e),
        action=format_html('<span translate="no">{}</span>', d.get("action", "")),
        cost=d.get("cost", ""),
        customers=who,
    )
    return with_text(said, d.get("reason"))


def _relisted(e: Entry) -> SafeString:
    d = e.data
    if d.get("after_watch"):
        return format_html(
            "{}", _("The watch ended quietly: the product is relisted fully, without a cap.")
        )
    relisted = _("The product was relisted: it sells again.")
    if "units_on_hand" not in d:
        return format_html("{}", relisted)
    on_hand = int(d.get("units_on_hand") or 0)
    if on_hand:
        stock = ngettext("%(n)d unit on hand.", "%(n)d units on hand.", on_hand) % {"n": on_hand}
        return format_html("{} {}", relisted, stock)
    if d.get("units_removed"):
        empty = _("0 units on hand: all held stock was returned to the vendor or scrapped.")
    else:
        empty = _("0 units on hand: there is no stock of it.")
    return format_html('{} <strong class="on-hand">{}</strong>', relisted, empty)


CORD: dict[str, Callable[[Entry], SafeString]] = {
    "contact.created": lambda e: say(_("%(who)s recorded a contact."), who=actor_of(e)),
    "andon.pulled": _pulled,
    "andon.joined": _joined,
    "listing.suppressed": lambda e: format_html(
        "{}", _("The listing was suppressed on every channel (stop-sell).")
    ),
    "holds.placed": _holds_placed,
    "workorder.created": _wo_created,
    "workorder.started": lambda e: say(
        _("%(who)s (%(dept)s) started %(wo)s."), who=actor_of(e), dept=_dept(e), wo=_wo(e)
    ),
    "workorder.resolved": lambda e: with_text(
        say(
            _("%(who)s (%(dept)s) resolved %(wo)s with findings"),
            who=actor_of(e),
            dept=_dept(e),
            wo=_wo(e),
        ),
        e.data.get("findings"),
    ),
    "workorder.confirmed": lambda e: say(
        _("%(who)s confirmed %(wo)s (%(dept)s): closed."), who=actor_of(e), wo=_wo(e), dept=_dept(e)
    ),
    "workorder.reopened": lambda e: with_text(
        say(_("%(who)s reopened %(wo)s (%(dept)s)"), who=actor_of(e), wo=_wo(e), dept=_dept(e)),
        e.data.get("reason"),
    ),
    "andon.closed": lambda e: format_html(
        "{}", _("Every work order is closed: the andon is closed.")
    ),
    "listing.relisted": _relisted,
    "listing.limited": _limited,
    "andon.reopened": _reopened,
    "recovery.proactive": _proactive,
    "holds.finalized": lambda e: say(
        _("The held goods were released or disposed of as the findings say: %(what)s."),
        what=_hold_states(e.data) if e.data else "—",
    ),
}


def _tally(t: HoldTally) -> str:
    parts = []
    if t.stock_rows:
        parts.append(
            _("%(units)s (%(where)s)")
            % {"units": units_of_stock(t.stock_units), "where": batches_in_warehouses(t.stock_rows)}
        )
    if t.order_lines:
        units = ngettext("%(n)d unit", "%(n)d units", t.line_units) % {"n": t.line_units}
        parts.append(
            _("%(lines)s (%(units)s)") % {"lines": packed_lines(t.order_lines), "units": units}
        )
    if len(parts) == 2:
        return _("%(stock)s and %(lines)s") % {"stock": parts[0], "lines": parts[1]}
    return parts[0] if parts else "—"


def holds_in_words(tallies: list[HoldTally]) -> SafeString:
    """An andon's holds by state: "Held: 300 units of stock (4 batches in warehouses) and 5
    packed order lines (6 units)"; once closed, "Released: …" instead of "held"."""
    if not tallies:
        return format_html("{}", _("Nothing was held: no stock and no packed order lines."))
    labels = dict(HoldState.choices)
    return format_html(
        "{}",
        _("; ").join(
            f"{capfirst(labels.get(t.state, t.state))}{colon()}{_tally(t)}" for t in tallies
        ),
    )
