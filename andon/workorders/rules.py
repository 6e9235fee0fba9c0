"""The work order's life: open -> in progress -> resolved -> closed on confirmation, or
reopened by the confirmer and worked again. Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from andon.core.errors import Conflict, InvalidInput


class State(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    CLOSED = "closed"


class Action(StrEnum):
    START = "start"
    RESOLVE = "resolve"
    CONFIRM = "confirm"
    REOPEN = "reopen"


TRANSITIONS: dict[State, dict[Action, State]] = {
    State.OPEN: {Action.START: State.IN_PROGRESS},
    State.IN_PROGRESS: {Action.RESOLVE: State.RESOLVED},
    State.RESOLVED: {Action.CONFIRM: State.CLOSED, Action.REOPEN: State.REOPENED},
    State.REOPENED: {Action.START: State.IN_PROGRESS, Action.RESOLVE: State.RESOLVED},
    State.CLOSED: {},
}

# Who acts: the department's members work, the service confirmer judges.
DEPARTMENT_ACTIONS = frozenset({Action.START, Action.RESOLVE})
CONFIRMER_ACTIONS = frozenset({Action.CONFIRM, Action.REOPEN})

# The department's clock (the SLA) runs while the work is theirs: not once it is resolved and
# waits for the confirmer, nor once it is closed.
DEPARTMENT_STATES = frozenset({State.OPEN, State.IN_PROGRESS, State.REOPENED})

FINDINGS_MAX = 4000
REOPEN_REASON_MAX = 500


# How a person names the states and the steps (the states as the work order's field does).
STATE_LABELS = {
    State.OPEN: gettext_lazy("open"),
    State.IN_PROGRESS: gettext_lazy("in progress"),
    State.RESOLVED: gettext_lazy("resolved"),
    State.REOPENED: gettext_lazy("reopened"),
    State.CLOSED: gettext_lazy("closed"),
}
ACTION_LABELS = {
    Action.START: pgettext_lazy("work order step", "start"),
    Action.RESOLVE: pgettext_lazy("work order step", "resolve"),
    Action.CONFIRM: pgettext_lazy("work order step", "confirm"),
    Action.REOPEN: pgettext_lazy("work order step", "reopen"),
}


class IllegalTransition(Conflict):
    code = "illegal-transition"
    title = gettext_lazy("This step is not possible in the work order's state")


def next_state(state: State, action: Action) -> State:
    allowed = TRANSITIONS[state]
    if action not in allowed:
        can = _(", ").join(f"“{ACTION_LABELS[a]}”" for a in allowed) or _("nothing (it is closed)")
        raise IllegalTransition(
            _(
                "This work order is “%(state)s”: “%(action)s” is not possible now; "
                "possible: %(can)s."
            )
            % {"state": STATE_LABELS[state], "action": ACTION_LABELS[action], "can": can},
            field="state",
            state=state.value,
        )
    return allowed[action]


def is_done(state: State) -> bool:
    return state == State.CLOSED


def is_overdue(state: str, due_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Past its due time while the department still has to act on it."""
    return due_at is not None and state in DEPARTMENT_STATES and due_at < now


# --- the relist at the last confirmation (issue 12: staged relist) --------------------------

RELIST_MAX_UNITS = 1_000_000
RELIST_WATCH_DAYS_MAX = 90


@dataclass(frozen=True)
class RelistChoice:
    """Full: today's relist. Staged: sell at most `max_units` while the fix is watched for
    `watch_days`; a complaint on the same problem in that time suppresses again."""

    staged: bool = False
    max_units: int | None = None
    watch_days: int | None = None

    def until(self, at: dt.datetime) -> dt.datetime:
        return at + dt.timedelta(days=self.watch_days or 0)


def relist_choice(
    relist: str | None, max_units: int | None, watch_days: int | None
) -> RelistChoice:
    """The confirmer's choice, checked: 4xx naming the field that is wrong."""
    relist = relist or "full"
    if relist not in ("full", "staged"):
        raise InvalidInput(_("Say “full” or “staged”."), field="relist")
    if relist == "full":
        if max_units is not None or watch_days is not None:
            field = "max_units" if max_units is not None else "watch_days"
            raise InvalidInput(
                _("Only a staged relist takes a cap and a watch period."), field=field
            )
        return RelistChoice()
    if max_units is None or not 1 <= max_units <= RELIST_MAX_UNITS:
        raise InvalidInput(
            _("A staged relist needs a cap of 1 to %(max)d units.") % {"max": RELIST_MAX_UNITS},
            field="max_units",
        )
    if watch_days is None or not 1 <= watch_days <= RELIST_WATCH_DAYS_MAX:
        raise InvalidInput(
            _("A staged relist needs a watch of 1 to %(max)d days.")
            % {"max": RELIST_WATCH_DAYS_MAX},
            field="watch_days",
        )
    return RelistChoice(staged=True, max_units=max_units, watch_days=watch_days)
