"""The work order's life: open -> in progress -> resolved -> closed on confirmation, or
reopened by the confirmer and worked again. Pure."""

from __future__ import annotations

from enum import StrEnum

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

FINDINGS_MAX = 4000
REOPEN_REASON_MAX = 500


class IllegalTransition(Conflict):
    code = "illegal-transition"
    title = "This step is not possible in the work order's state"


def next_state(state: State, action: Action) -> State:
    allowed = TRANSITIONS[state]
    if action not in allowed:
        can = ", ".join(a.value for a in allowed) or "nothing (it is closed)"
        raise IllegalTransition(
            f"A work order that is {state.value} cannot '{action.value}'; it can: {can}.",
            field="state", state=state.value,
        )
    return allowed[action]


def is_done(state: State) -> bool:
    return state == State.CLOSED
