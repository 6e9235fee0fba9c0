"""The bad-andon rate's arithmetic on edge cases, and the Monday review's numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from andon.people.models import Team
from andon.reviews import rules
from andon.reviews.models import ReviewPolicy
from andon.reviews.monday import monday_review
from andon.reviews.selectors import bad_andon_rate, review_queue

from .factories import past_andons, pull, reviewed

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MON = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)  # a Monday


@pytest.fixture
def people(world):
    u = world.users
    t1, t2 = Team.objects.get(code="team-1"), Team.objects.get(code="team-2")
    return u, t1, t2


def test_no_reviewed_pulls_gives_no_rows_and_the_default_target(api, people):
    u, t1, _ = people
    past_andons(agent=u["agent1"], lead=u["lead1"], team=t1, at=MON, n=3)  # pulled, unreviewed
    body = api.call("GET", "/kpis/bad-andon-rate?period=week", "lead1").json()
    assert body == {"target": "0.02", "period": "week", "by": "team_lead", "rows": []}


def test_fifty_reviewed_one_invalid_is_on_target_forty_one_is_red(api, people):
    u, t1, t2 = people
    reviewed(
        past_andons(agent=u["agent1"], lead=u["lead1"], team=t1, at=MON, n=50),
        invalid=1,
        reviewer=u["lead1"],
    )
    reviewed(
        past_andons(agent=u["agent2"], lead=u["lead2"], team=t2, at=MON, n=40),
        invalid=1,
        reviewer=u["lead2"],
    )
    rows = api.call("GET", "/kpis/bad-andon-rate?period=week", "lead1").json()["rows"]
    assert [
        (r["team_lead"], r["period"], r["reviewed"], r["invalid"], r["rate"], r["status"])
        for r in rows
    ] == [
        ("lead1", "2026-W10", 50, 1, "0.0200", "green"),
        ("lead2", "2026-W10", 40, 1, "0.0250", "red"),
    ]


def test_the_week_is_that_of_the_pull_in_the_service_time_zone(people):
    u, t1, _ = people
    # Sunday 23:30 in Shanghai is Sunday 15:30 UTC: week 9, not week 10.
    sunday_night = dt.datetime(2026, 3, 1, 23, 30, tzinfo=SH)
    reviewed(
        past_andons(agent=u["agent1"], lead=u["lead1"], team=t1, at=sunday_night, n=2),
        invalid=1,
        reviewer=u["lead1"],
    )
    reviewed(
        past_andons(agent=u["agent1"], lead=u["lead1"], team=t1, at=MON, n=4),
        invalid=0,
        reviewer=u["lead1"],
    )
    weeks = bad_andon_rate(period="week")
    assert [(r.period, r.reviewed, r.invalid) for r in weeks] == [
        ("2026-W09", 2, 1),
        ("2026-W10", 4, 0),
    ]
    months = bad_andon_rate(period="month")
    assert [(r.period, r.reviewed, r.invalid, r.rate) for r in months] == [
        ("2026-03", 6, 1, Decimal("0.1667"))
    ]


def test_rates_per_team_and_for_the_whole_organisation(people):
    u, t1, t2 = people
    reviewed(
        past_andons(agent=u["agent1"], lead=u["lead1"], team=t1, at=MON, n=10),
        invalid=2,
        reviewer=u["lead1"],
    )
    reviewed(
        past_andons(agent=u["agent2"], lead=u["lead2"], team=t2, at=MON, n=30),
        invalid=0,
        reviewer=u["lead2"],
    )
    teams = {r.key: (r.reviewed, r.invalid) for r in bad_andon_rate(by="team")}
    assert teams == {"team-1": (10, 2), "team-2": (30, 0)}
    [org] = bad_andon_rate(by="all")
    assert (org.reviewed, org.invalid, org.rate, org.status) == (40, 2, Decimal("0.05"), "red")


def test_a_configured_target_changes_the_colour_not_the_rate(api, people):
    u, t1, _ = people
    reviewed(
        past_andons(agent=u["agent1"], lead=u["lead1"], team=t1, at=MON, n=20),
        invalid=1,
        reviewer=u["lead1"],
    )
    ReviewPolicy.objects.create(target_rate=Decimal("0.05"))
    body = api.call("GET", "/kpis/bad-andon-rate?period=month", "lead1").json()
    assert body["target"] == "0.0500"
    assert [(r["rate"], r["status"]) for r in body["rows"]] == [("0.0500", "green")]


def test_sampling_reviews_a_stable_share_and_the_rate_counts_only_reviewed_pulls(people):
    u, t1, _ = people
    ReviewPolicy.objects.create(sample_rate=Decimal("0.25"))
    andons = past_andons(agent=u["agent1"], lead=u["lead1"], team=t1, at=MON, n=80)
    queue = review_queue(user_id=u["lead1"].pk, limit=1000)
    expected = [a.pk for a in andons if rules.is_sampled(a.pk, Decimal("0.25"))]
    assert [a.pk for a in queue] == expected and 5 < len(expected) < 40
    reviewed(queue, invalid=1, reviewer=u["lead1"])
    [row] = bad_andon_rate()
    assert (row.reviewed, row.invalid) == (len(expected), 1)
    assert row.rate == rules.bad_andon_rate(len(expected), 1)
    assert review_queue(user_id=u["lead1"].pk) == []


def test_an_agent_may_not_read_the_kpis(api, people):
    r = api.call("GET", "/kpis/bad-andon-rate", "agent1")
    assert r.status_code == 403
    assert api.call("GET", "/kpis/bad-andon-rate?period=year", "lead1").status_code == 422


def test_the_monday_review_of_a_manager_and_of_the_organisation(api, people):
    u, t1, t2 = people
    reviewed(
        past_andons(agent=u["agent1"], lead=u["lead1"], team=t1, at=MON, n=4),
        invalid=1,
        reviewer=u["lead1"],
        root_cause="training",
    )
    reviewed(
        past_andons(agent=u["agent2"], lead=u["lead2"], team=t2, at=MON, n=2),
        invalid=1,
        reviewer=u["lead2"],
        root_cause="system",
    )
    past_andons(agent=u["agent2"], lead=u["lead2"], team=t2, at=MON, n=1)  # not reviewed
    m = monday_review(week_start=MON.date(), team_lead=u["lead1"])
    assert (len(m.pulls), m.reviewed, m.invalid, m.rate, m.status) == (
        4,
        4,
        1,
        Decimal("0.25"),
        "red",
    )
    assert m.causes["training"] == 1 and m.causes["system"] == 0
    assert m.relist_median_hours == 48.0
    org = api.call("GET", "/kpis/monday-review?week=2026-03-04", "lead2").json()
    assert org["week_start"] == "2026-03-02"
    assert (org["pulls"], org["reviewed"], org["invalid"]) == (7, 6, 2)
    assert {c["root_cause"]: c["invalid"] for c in org["root_causes"]}["system"] == 1


def test_time_to_contain_runs_from_the_first_evidence_contact_to_the_pull(world):
    andon = pull(world, "agent1")
    m = monday_review(week_start=timezone.localdate(andon.opened_at), team_lead=None)
    [line] = m.pulls
    # The factory's first report came two hours before the pull.
    assert 1.9 <= line.contain_hours <= 2.1 and line.relist_hours is None
