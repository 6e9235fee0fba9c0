"""An andon's timeline in sentences: every audit action the domains record has its sentence
here, in both languages (a test reads the services for `Audit("…")` and fails on an action
without one). Names, notes and findings stay as typed (translate="no"); the sentence around
them is translated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from andon.holds.choices import HoldState
from andon.holds.selectors import HoldTally
from andon.recovery.choices import KindChoices
from andon.reviews.choices import ActionKindChoices, RootCauseChoices

from .formatting import colon, day, money, when


@dataclass(frozen=True)
class Entry:
    """What a sentence needs of an audit row: its action, actor, subject, data, department."""

    action: str
    actor: str  # the username, "" when the system acted (an import, a catch-up)
    subject_id: str
    data: Mapping[str, Any]
    department: str = ""  # the department's name in the reader's language, when the row has one


def _data(text: Any) -> SafeString:
    """A value typed by a person or named by the business: shown as is, never translated."""
    return format_html('<span translate="no" class="user-text">{}</span>', text)


def _who(e: Entry) -> SafeString:
    if not e.actor:
        return format_html("{}", pgettext("who acted", "The system"))
    return format_html('<span translate="no">{}</span>', e.actor)


def _with_text(sentence: str, text: Any) -> SafeString:
    """ "<sentence>: <what they typed>", with the colon of the reader's language."""
    if not text:
        return format_html("{}", sentence)
    return format_html("{}{}{}", sentence, colon(), _data(text))


def _say(msg: str, **values: Any) -> SafeString:
    """A translated sentence (placeholders `%(name)s`) with escaped values put in; a value may
    be markup built here (a name in its translate="no" span, a <time>)."""
    return mark_safe(
        conditional_escape(msg) % {k: conditional_escape(v) for k, v in values.items()}
    )


def _units(n: int) -> str:
    return ngettext("%(n)d unit of stock", "%(n)d units of stock", n) % {"n": n}


def _lines(n: int) -> str:
    return ngettext("%(n)d packed order line", "%(n)d packed order lines", n) % {"n": n}


def _pulled(e: Entry) -> SafeString:
    n = int(e.data.get("distinct_customers") or 0)
    sentence = _say(
        ngettext(
            "%(who)s pulled the cord (%(n)s customer reported it)",
            "%(who)s pulled the cord (%(n)s customers reported it)",
            n,
        ),
        who=_who(e),
        n=n,
    )
    return _with_text(sentence, e.data.get("note"))


def _joined(e: Entry) -> SafeString:
    return _with_text(
        _say(_("%(who)s pulled again and joined the open andon"), who=_who(e)), e.data.get("note")
    )


def _holds_placed(e: Entry) -> SafeString:
    d = e.data
    if d.get("reopened"):
        rows = int(d.get("stock_rows") or 0)
        batches = ngettext("%(n)d batch in a warehouse", "%(n)d batches in warehouses", rows) % {
            "n": rows
        }
        return _say(
            _("Reopened by the watch, the andon holds again: %(stock)s, %(lines)s."),
            stock=batches,
            lines=_lines(int(d.get("order_lines") or 0)),
        )
    if d.get("arrived_while_stopped"):
        rows = int(d.get("stock_rows") or 0)
        batches = ngettext("%(n)d batch in a warehouse", "%(n)d batches in warehouses", rows) % {
            "n": rows
        }
        return _say(
            _("Arrived while the product was stopped, and held too: %(stock)s, %(lines)s."),
            stock=batches,
            lines=_lines(int(d.get("order_lines") or 0)),
        )
    return _say(
        _("%(stock)s and %(lines)s were put on hold."),
        stock=_units(int(d.get("stock_units") or 0)),
        lines=_lines(int(d.get("order_lines") or 0)),
    )


def _wo(e: Entry) -> SafeString:
    return format_html('<span translate="no">WO-{}</span>', e.subject_id)


def _dept(e: Entry) -> SafeString:
    return format_html('<span translate="no">{}</span>', e.department or e.data.get("department"))


def _wo_created(e: Entry) -> SafeString:
    return _say(
        _("Work order %(wo)s opened for %(dept)s, due %(due)s."),
        wo=_wo(e),
        dept=_dept(e),
        due=when(_parse(e.data.get("due_at"))),
    )


def _parse(value: Any) -> Any:
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return value


def _hold_states(counts: Mapping[str, int]) -> str:
    labels = dict(HoldState.choices)
    return _("; ").join(
        ngettext("%(n)d hold %(state)s", "%(n)d holds %(state)s", int(n))
        % {"n": int(n), "state": labels.get(state, state)}
        for state, n in counts.items()
    )


def _reviewed(e: Entry) -> SafeString:
    d = e.data
    if d.get("verdict") == "valid":
        return _with_text(_say(_("%(who)s reviewed the pull: valid."), who=_who(e)), d.get("note"))
    cause = dict(RootCauseChoices.choices).get(d.get("root_cause") or "", d.get("root_cause"))
    return _with_text(
        _say(
            _("%(who)s reviewed the pull: invalid, root cause %(cause)s."),
            who=_who(e),
            cause=cause or "—",
        ),
        d.get("note"),
    )


def _action_opened(e: Entry) -> SafeString:
    kind = dict(ActionKindChoices.choices).get(e.data.get("kind", ""), e.data.get("kind"))
    return _say(
        _("Corrective action opened (%(kind)s), due %(due)s."),
        kind=kind or "—",
        due=day(_parse_day(e.data.get("due_on"))),
    )


def _parse_day(value: Any) -> Any:
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return value


def _bonus(e: Entry) -> SafeString:
    d = e.data
    return _say(
        _("A bonus of %(amount)s was credited to %(agent)s."),
        amount=money(d.get("amount"), d.get("currency") or "CNY"),
        agent=format_html('<span translate="no">{}</span>', d.get("agent", "")),
    )


def _corrected(e: Entry) -> SafeString:
    d = e.data
    if d.get("verdict") == "valid":
        said = _say(_("%(who)s corrected the verdict from invalid to valid"), who=_who(e))
    else:
        cause = dict(RootCauseChoices.choices).get(d.get("root_cause") or "", d.get("root_cause"))
        if d.get("old_verdict") == "invalid":
            said = _say(
                _("%(who)s corrected the root cause to %(cause)s"), who=_who(e), cause=cause or "—"
            )
        else:
            said = _say(
                _("%(who)s corrected the verdict from valid to invalid, root cause %(cause)s"),
                who=_who(e),
                cause=cause or "—",
            )
    return _with_text(said, d.get("reason"))


def _bonus_reversed(e: Entry) -> SafeString:
    d = e.data
    amount = d.get("amount") or "0"
    return _say(
        _(
            "A correction line took back the bonus of %(amount)s credited to %(agent)s: the "
            "verdict was corrected; this is not a penalty."
        ),
        amount=money(str(abs(Decimal(str(amount)))), d.get("currency") or "CNY"),
        agent=format_html('<span translate="no">{}</span>', d.get("agent", "")),
    )


def _limited(e: Entry) -> SafeString:
    d = e.data
    try:
        until = when(dt.datetime.fromisoformat(str(d.get("until"))))
    except ValueError:
        until = "—"
    return _say(
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
    return _say(
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
    said = _say(
        _("%(who)s gave %(action)s (%(cost)s CNY each) to %(customers)s, proactively"),
        who=_who(e),
        action=format_html('<span translate="no">{}</span>', d.get("action", "")),
        cost=d.get("cost", ""),
        customers=who,
    )
    return _with_text(said, d.get("reason"))


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


def _recovery(e: Entry) -> SafeString:
    d = e.data
    # The kind in the reader's language ("coupon"), not the catalogue entry's code.
    kind = dict(KindChoices.choices).get(d.get("kind") or "", d.get("action") or "—")
    return _say(
        _("%(who)s gave service recovery (%(action)s, %(cost)s)."),
        who=_who(e),
        action=kind,
        cost=money(d.get("cost")),
    )


def _contacts(e: Entry) -> str:
    n = len(e.data.get("contacts") or [])
    return ngettext("%(n)d contact", "%(n)d contacts", n) % {"n": n}


def _problem_ids(ids: Any) -> str:
    return ", ".join(f"#{i}" for i in (ids if isinstance(ids, list) else [ids]) if i)


def _membership(msg: Callable[[], str]) -> Callable[[Entry], SafeString]:
    """A membership change: `msg()` (translated when the sentence is read, in the reader's
    language) names %(who)s, %(plan)s, %(customer)s, %(until)s, %(state)s."""

    def say(e: Entry) -> SafeString:
        d = e.data
        ends = d.get("ends_at")
        return _say(
            msg(),
            who=_who(e),
            plan=_data(d.get("plan") or "—"),
            customer=_data(d.get("customer") or "—"),
            until=day(dt.datetime.fromisoformat(ends)) if ends else "—",
            state=_data(d.get("state", "")),
        )

    return say


SENTENCES: dict[str, Callable[[Entry], SafeString]] = {
    "contact.created": lambda e: _say(_("%(who)s recorded a contact."), who=_who(e)),
    "andon.pulled": _pulled,
    "andon.joined": _joined,
    "listing.suppressed": lambda e: format_html(
        "{}", _("The listing was suppressed on every channel (stop-sell).")
    ),
    "holds.placed": _holds_placed,
    "workorder.created": _wo_created,
    "pull.credited": lambda e: _say(
        _("The pull was credited to %(agent)s: a bonus once a review finds it valid."),
        agent=format_html('<span translate="no">{}</span>', e.data.get("agent", "")),
    ),
    "workorder.started": lambda e: _say(
        _("%(who)s (%(dept)s) started %(wo)s."), who=_who(e), dept=_dept(e), wo=_wo(e)
    ),
    "workorder.resolved": lambda e: _with_text(
        _say(
            _("%(who)s (%(dept)s) resolved %(wo)s with findings"),
            who=_who(e),
            dept=_dept(e),
            wo=_wo(e),
        ),
        e.data.get("findings"),
    ),
    "workorder.confirmed": lambda e: _say(
        _("%(who)s confirmed %(wo)s (%(dept)s): closed."), who=_who(e), wo=_wo(e), dept=_dept(e)
    ),
    "workorder.reopened": lambda e: _with_text(
        _say(_("%(who)s reopened %(wo)s (%(dept)s)"), who=_who(e), wo=_wo(e), dept=_dept(e)),
        e.data.get("reason"),
    ),
    "andon.closed": lambda e: format_html(
        "{}", _("Every work order is closed: the andon is closed.")
    ),
    "listing.relisted": _relisted,
    "listing.limited": _limited,
    "andon.reopened": _reopened,
    "recovery.proactive": _proactive,
    "holds.finalized": lambda e: _say(
        _("The held goods were released or disposed of as the findings say: %(what)s."),
        what=_hold_states(e.data) if e.data else "—",
    ),
    "andon.reviewed": _reviewed,
    "corrective_action.opened": _action_opened,
    "corrective_action.done": lambda e: _say(
        _("%(who)s marked the corrective action done."), who=_who(e)
    ),
    "bonus.credited": _bonus,
    "andon.review_corrected": _corrected,
    "bonus.reversed": _bonus_reversed,
    "recovery.given": _recovery,
    "problem.contacts_moved": lambda e: _say(
        _("%(who)s moved %(contacts)s from problem %(source)s into problem #%(problem)s."),
        who=_who(e),
        contacts=_contacts(e),
        source=_problem_ids(e.data.get("from")) or "—",
        problem=e.subject_id,
    ),
    "problem.merged": lambda e: _say(
        _("%(who)s merged problem #%(source)s into problem #%(problem)s (%(contacts)s)."),
        who=_who(e),
        source=e.data.get("merged", ""),
        problem=e.subject_id,
        contacts=_contacts(e),
    ),
    "problem.split": lambda e: _say(
        _("%(who)s split %(contacts)s off problem #%(problem)s into problem #%(into)s."),
        who=_who(e),
        contacts=_contacts(e),
        problem=e.subject_id,
        into=e.data.get("into", ""),
    ),
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
    "membership.launch_planned": lambda e: _say(
        _("%(who)s planned the membership launch %(launch)s of plan %(plan)s."),
        who=_who(e),
        launch=_data(e.data.get("code", "")),
        plan=_data(e.data.get("plan", "")),
    ),
    "integrity.signal_decided": lambda e: _with_text(
        _say(
            _("%(who)s moved integrity signal #%(signal)s from %(old)s to %(new)s"),
            who=_who(e),
            signal=e.subject_id,
            old=e.data.get("from", ""),
            new=e.data.get("to", ""),
        ),
        e.data.get("reason"),
    ),
    "customer.phone_revealed": lambda e: _say(
        _("%(who)s was shown the full phone number of customer %(customer)s."),
        who=_who(e),
        customer=format_html('<span translate="no">{}</span>', e.subject_id),
    ),
}


def sentence(e: Entry) -> SafeString:
    say = SENTENCES.get(e.action)
    if say is not None:
        return say(e)
    # An action recorded by a newer part of the product than this table: words, not a code.
    return _say(
        _("%(who)s: %(what)s."),
        who=_who(e),
        what=capfirst(e.action.replace(".", " ").replace("_", " ")),
    )


def _tally(t: HoldTally) -> str:
    parts = []
    if t.stock_rows:
        batches = ngettext(
            "%(n)d batch in a warehouse", "%(n)d batches in warehouses", t.stock_rows
        ) % {"n": t.stock_rows}
        parts.append(
            _("%(units)s (%(where)s)") % {"units": _units(t.stock_units), "where": batches}
        )
    if t.order_lines:
        units = ngettext("%(n)d unit", "%(n)d units", t.line_units) % {"n": t.line_units}
        parts.append(_("%(lines)s (%(units)s)") % {"lines": _lines(t.order_lines), "units": units})
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
