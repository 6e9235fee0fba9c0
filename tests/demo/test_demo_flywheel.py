"""The demo's flywheel: every element shows a trend, and team 2's cord fell silent last week
(the alarm written once, with its outbox event)."""

from __future__ import annotations

from andon.core.models import OutboxEvent
from andon.flywheel.alarms import silences
from andon.flywheel.models import SilentCordAlarm
from andon.flywheel.selectors import dashboard


def test_every_element_shows_a_trend(demo):
    d = dashboard(period="week")
    for e in d.elements:
        with_trend = [
            f.key for f in e.figures if sum(v is not None and v != 0 for v in f.trend) >= 3
        ]
        assert with_trend, f"{e.element} shows no trend"


def test_team_2_shows_the_silent_cord_alarm(demo):
    tests = {s.team_code: s.test for s in silences(period="week")}
    assert tests["team-2"].alarm, tests["team-2"]
    assert not tests["team-1"].alarm, tests["team-1"]
    alarm = SilentCordAlarm.objects.get()
    assert alarm.team.code == "team-2" and alarm.pulls < alarm.expected
    assert OutboxEvent.objects.filter(event_type="flywheel.alarm").count() == 1


def test_the_membership_element_shows_every_figure_moving(demo):
    d = dashboard(period="week")
    for key in ("enrolments", "trial_conversion", "renewal_rate"):
        trend = d.figure(key).trend
        assert sum(v is not None and v != 0 for v in trend) >= 3, (key, trend)
