from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from andon.pulls.models import Andon

from .small_world import build_small

pytestmark = pytest.mark.django_db


def test_flywheel_shape_and_team(api, world):
    build_small(world)
    r = api.call("GET", "/flywheel?period=week", "lead1")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["period"] == "week" and len(body["periods"]) == 12
    tools = next(e for e in body["elements"] if e["element"] == "tools")
    assert tools["layer"] == "empowerment"
    pulls = next(f for f in tools["figures"] if f["key"] == "pulls")
    assert len(pulls["trend"]) == 12 and pulls["value"] == pulls["trend"][-1]
    rules_ = next(e for e in body["elements"] if e["element"] == "rules")
    rate = next(f for f in rules_["figures"] if f["key"] == "bad_andon_rate")
    assert Decimal(rate["target"]) == Decimal("0.02")
    membership = next(e for e in body["elements"] if e["element"] == "membership")
    assert membership["layer"] == "membership" and "hidden" not in membership
    keys = [f["key"] for f in membership["figures"]]
    assert keys == ["enrolments", "trial_conversion", "renewal_rate"]
    assert all(len(f["trend"]) == 12 for f in membership["figures"])
    team = api.call("GET", "/flywheel?period=month&team=team-1", "lead1").json()
    assert team["team"] == "team-1" and team["period"] == "month"


def test_flywheel_bad_input_names_the_field(api, world):
    r = api.call("GET", "/flywheel?team=nope", "lead1")
    assert r.status_code == 422 and r.json()["field"] == "team"
    r = api.call("GET", "/flywheel?period=year", "lead1")
    assert r.status_code == 422 and "period" in r.content.decode()
    assert r["Content-Type"] == "application/problem+json"
    r = api.call("GET", "/scorecards?by=colour", "lead1")
    assert r.status_code == 422 and "by" in r.content.decode()
    r = api.call("GET", "/scorecards?since=2026-03-10&until=2026-03-01", "lead1")
    assert r.status_code == 422 and r.json()["field"] == "until"


def test_roles(api, world):
    assert api.call("GET", "/flywheel", "agent1").status_code == 403
    assert api.call("GET", "/scorecards", "vendor1").status_code == 403
    assert api.call("GET", "/alarms", "agent1").status_code == 403
    assert api.call("GET", "/alarms", "lead1").status_code == 200


def test_scorecards(api, world):
    build_small(world)
    body = api.call(
        "GET", "/scorecards?by=department&since=2026-03-01&until=2026-03-20", "lead1"
    ).json()
    rows = {r["key"]: r for r in body["rows"]}
    assert rows["vendor-management"]["gmv_suppressed"] == "380.00"
    assert rows["vendor-management"]["sla_met"] == "1.0000"
    supplier = api.call("GET", "/scorecards?since=2026-03-01&until=2026-03-20", "lead1").json()
    assert supplier["by"] == "supplier" and supplier["rows"][0]["pulls"] >= 1


def test_alarms_go_to_the_teams_lead_and_admins(api, world, monkeypatch):
    # The alarm test itself lives in test_alarm.py; here: who sees it.
    import andon.api.flywheel as route
    from andon.flywheel import rules
    from andon.flywheel.alarms import TeamSilence
    from andon.people.models import Team

    t1 = Team.objects.get(code="team-1")
    test = rules.silence_test(
        pulls=1, contacts=100, baseline_pulls=[10] * 8, baseline_contacts=[100] * 8
    )
    fake = [TeamSilence(t1.pk, "team-1", "Team 1", t1.lead_id, "week", timezone.localdate(), test)]
    monkeypatch.setattr(route, "alarms", lambda **kw: fake)
    assert [a["team"] for a in api.call("GET", "/alarms", "lead1").json()["alarms"]] == ["team-1"]
    assert api.call("GET", "/alarms", "lead2").json()["alarms"] == []
    User.objects.filter(username="lead2").update(is_staff=True)
    assert len(api.call("GET", "/alarms", "lead2").json()["alarms"]) == 1


def test_inbox_api(api, world, django_assert_max_num_queries):
    s = build_small(world)
    api.call("GET", "/inbox", "agent1")  # the token's last use is stamped (not every call)
    with django_assert_max_num_queries(6):  # the token, then the inbox's five with its count
        body = api.call("GET", "/inbox", "agent1").json()
    assert body["unread"] == 2
    item = next(i for i in body["items"] if i["andon_id"] == s.a1.pk)
    assert item["you_pulled"] and item["you_recorded_evidence"] and item["unread"]
    assert {w["findings"] for w in item["work_orders"]} == {"bad glue", "3 units"}
    assert item["sold_again_at"] is not None
    r = api.call("POST", "/inbox/read", "agent1", {"andon_ids": [s.a1.pk]})
    assert r.status_code == 200 and r.json() == {"unread": 1}
    r = api.call("POST", "/inbox/read", "agent1", {"andon_ids": []})
    assert r.status_code == 422
    assert api.call("GET", "/inbox", "vendor1").json() == {"unread": 0, "items": []}
    assert Andon.objects.count() == 3
