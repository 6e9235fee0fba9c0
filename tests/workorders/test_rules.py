import pytest
from django.utils import translation

from andon.workorders.rules import (
    ACTION_LABELS,
    STATE_LABELS,
    TRANSITIONS,
    Action,
    IllegalTransition,
    State,
    next_state,
)


def test_the_happy_path_open_in_progress_resolved_closed():
    s = next_state(State.OPEN, Action.START)
    s = next_state(s, Action.RESOLVE)
    assert next_state(s, Action.CONFIRM) == State.CLOSED


def test_the_confirmer_may_reopen_a_resolved_work_order_which_is_worked_again():
    s = next_state(State.RESOLVED, Action.REOPEN)
    assert s == State.REOPENED
    assert next_state(s, Action.RESOLVE) == State.RESOLVED


@pytest.mark.parametrize(
    "state,action",
    [
        (State.OPEN, Action.CONFIRM),
        (State.OPEN, Action.RESOLVE),
        (State.IN_PROGRESS, Action.CONFIRM),
        (State.CLOSED, Action.REOPEN),
        (State.CLOSED, Action.START),
    ],
)
def test_illegal_moves_are_refused_with_what_is_possible(state, action):
    with translation.override("en"), pytest.raises(IllegalTransition) as err:
        next_state(state, action)
    assert err.value.extra["state"] == state.value
    with translation.override("en"):
        assert f"“{STATE_LABELS[state]}”" in err.value.detail
        assert all(f"“{ACTION_LABELS[a]}”" in err.value.detail for a in TRANSITIONS[state])
