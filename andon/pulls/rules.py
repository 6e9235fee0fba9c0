"""The cord's rules, in words and in code. Pure: no database, no clock.

- Eligibility: an agent may pull when at least N distinct customers (the reason's threshold,
  default 2; 1 for safety-critical reasons) reported the same reason on the same product
  within the reason's window (default 30 days), or the same detected problem, however each
  was coded (andon.detection finds the problem behind the words). Evidence used by an andon
  that has since been closed does not count again: after a relist, the product needs new
  reports.
- When the rule is not met the agent is told exactly what is missing.
- No approval: nothing here, and no setting anywhere, makes a pull wait for a person.
- The note is one line: 1 to 200 characters, no line breaks.
- Relist gate: a product sells again when no andon on it is open; an andon closes when all
  its work orders are closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from andon.core.errors import DomainError, InvalidInput

NOTE_MAX = 200


@dataclass(frozen=True)
class Policy:
    threshold: int
    window_days: int


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    distinct_customers: int
    threshold: int
    window_days: int
    since: dt.datetime
    # Met through a detected problem rather than the reason code alone.
    by_problem: bool = False

    @property
    def missing(self) -> int:
        return max(self.threshold - self.distinct_customers, 0)

    def explanation(self, reason_label: str) -> str:
        """The sentence the agent reads before pulling, in the active language."""
        reported = ngettext(
            "%(n)d customer reported “%(reason)s” in the last %(days)d days",
            "%(n)d customers reported “%(reason)s” in the last %(days)d days",
            self.distinct_customers,
        ) % {"n": self.distinct_customers, "reason": reason_label, "days": self.window_days}
        if self.eligible:
            return _("%(reported)s; you may pull.") % {"reported": reported}
        return ngettext(
            "%(reported)s; %(missing)d more customer is needed (%(n)d of %(threshold)d so far).",
            "%(reported)s; %(missing)d more customers are needed (%(n)d of %(threshold)d so far).",
            self.missing,
        ) % {
            "reported": reported,
            "missing": self.missing,
            "n": self.distinct_customers,
            "threshold": self.threshold,
        }


def evidence_since(
    now: dt.datetime, policy: Policy, last_closed_at: dt.datetime | None
) -> dt.datetime:
    start = now - dt.timedelta(days=policy.window_days)
    return max(start, last_closed_at) if last_closed_at else start


def eligibility(
    distinct_customers: int,
    policy: Policy,
    since: dt.datetime,
    problem_customers: int | None = None,
) -> Eligibility:
    """The reason-code rule, or the problem rule when a problem is named: whichever counts
    more distinct customers decides (both rules stay valid)."""
    by_problem = problem_customers is not None and problem_customers > distinct_customers
    n = problem_customers if problem_customers is not None and by_problem else distinct_customers
    return Eligibility(
        eligible=n >= policy.threshold,
        distinct_customers=n,
        threshold=policy.threshold,
        window_days=policy.window_days,
        since=since,
        by_problem=by_problem,
    )


class NotEligible(DomainError):
    code = "not-eligible"
    status = 422
    title = gettext_lazy("Not enough customers reported this yet")

    def __init__(self, decision: Eligibility, reason_label: str) -> None:
        super().__init__(
            decision.explanation(reason_label),
            field="reason",
            eligibility={
                "eligible": False,
                "distinct_customers": decision.distinct_customers,
                "threshold": decision.threshold,
                "window_days": decision.window_days,
                "missing": decision.missing,
            },
        )


def clean_note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("Type one line saying what is wrong."), field="note")
    if "\n" in note or "\r" in note:
        raise InvalidInput(_("The note is one line: no line breaks."), field="note")
    if len(note) > NOTE_MAX:
        raise InvalidInput(
            _("The note is one line of at most %(max)d characters (this one has %(n)d).")
            % {"max": NOTE_MAX, "n": len(note)},
            field="note",
        )
    return note


def andon_is_done(work_order_states: Iterable[str]) -> bool:
    """An andon closes when every one of its work orders is closed."""
    states = list(work_order_states)
    return bool(states) and all(s == "closed" for s in states)


def may_relist(open_andons_on_product: int) -> bool:
    """The product sells again only when no andon on it is open, whatever the reason."""
    return open_andons_on_product == 0
