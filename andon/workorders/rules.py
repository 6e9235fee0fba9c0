"""The work order's life: open -> in progress -> resolved -> closed on confirmation, or
reopened by the confirmer and worked again. Pure."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from andon.core.errors import Conflict


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
