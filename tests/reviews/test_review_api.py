"""Reviewing pulls through the API: verdicts, root causes, corrective actions, roles."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from andon.core.models import AuditEntry, OutboxEvent
from andon.incentives.models import BonusCredit
from andon.people.models import Team
from andon.reviews.models import CorrectiveAction, PullReview

from .factories import pull

pytestmark = pytest.mark.django_db


def review(api, andon_id: int, as_: str, body: dict, **headers):
    return api.call("POST", f"/andons/{andon_id}/review", as_, body, **headers)


def test_a_valid_review_credits_the_agent_once(api):
    andon = pull(api.world, "agent1")
    r = review(api, andon.pk, "lead1", {"verdict": "valid"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["verdict"] == "valid" and body["team_lead"] == "lead1"
    assert body["bonus_credited"] == "50.00"
    again = review(api, andon.pk, "lead1", {"verdict": "valid"})
    assert again.status_code == 409 and again.json()["code"] == "already-reviewed"
    assert BonusCredit.objects.filter(andon=andon).count() == 1
    assert AuditEntry.objects.filter(action="andon.reviewed", andon_id=andon.pk).count() == 1
    assert OutboxEvent.objects.filter(event_type="bonus.credited").count() == 1
    bonuses = api.call("GET", "/bonuses?agent=agent1", "agent1").json()
    assert bonuses["total"] == "50.00" and bonuses["credits"][0]["andon_id"] == andon.pk


def test_an_invalid_review_needs_cause_and_action_and_opens_a_training(api):
    andon = pull(api.world, "agent1")
    r = review(api, andon.pk, "lead1", {"verdict": "invalid", "action": "培训"})
    assert r.status_code == 422 and r.json()["field"] == "root_cause"
    r = review(api, andon.pk, "lead1", {"verdict": "invalid", "root_cause": "training"})
    assert r.status_code == 422 and r.json()["field"] == "action"
    r = review(
        api,
        andon.pk,
        "lead1",
        {"verdict": "invalid", "root_cause": "training", "action": "按灯规则培训（新员工）"},
    )
    assert r.status_code == 201, r.content
    [action] = r.json()["actions"]
    assert action["kind"] == "training" and action["assignee"] == "agent1"
    assert action["owner"] == "lead1" and action["done_at"] is None
    assert r.json()["bonus_credited"] is None
    assert not BonusCredit.objects.exists()
    # Tracked to done.
    open_ = api.call("GET", "/corrective-actions", "lead1").json()
    assert [a["id"] for a in open_] == [action["id"]]
    done = api.call("POST", f"/corrective-actions/{action['id']}/done", "lead1")
    assert done.status_code == 200 and done.json()["done_at"]
    assert api.call("GET", "/corrective-actions", "lead1").json() == []


def test_a_process_change_goes_to_a_department_with_a_due_date(api):
    andon = pull(api.world, "agent1")
    r = review(
        api,
        andon.pk,
        "lead1",
        {
            "verdict": "invalid",
            "root_cause": "process",
            "action": "改进原因代码说明",
            "department": "vendor-management",
            "due_on": "2030-01-31",
        },
    )
    assert r.status_code == 201, r.content
    [action] = r.json()["actions"]
    assert action["kind"] == "process" and action["department"] == "vendor-management"
    assert action["assignee"] is None and action["due_on"] == "2030-01-31"
    bad = pull(api.world, "agent1")
    r = review(
        api,
        bad.pk,
        "lead1",
        {"verdict": "invalid", "root_cause": "process", "action": "x", "department": "nowhere"},
    )
    assert r.status_code == 422 and r.json()["field"] == "department"


def test_bad_input_is_a_problem_naming_the_field(api):
    andon = pull(api.world, "agent1")
    r = review(api, andon.pk, "lead1", {"verdict": "maybe"})
    assert r.status_code == 422 and r.json()["field"] == "verdict"
    r = review(
        api, andon.pk, "lead1", {"verdict": "invalid", "root_cause": "weather", "action": "x"}
    )
    assert r.status_code == 422 and r.json()["field"] == "root_cause"
    assert review(api, 999999, "lead1", {"verdict": "valid"}).status_code == 404
    assert not PullReview.objects.exists()


def test_only_the_team_lead_of_the_pull_or_an_admin_reviews(api):
    andon = pull(api.world, "agent1")
    assert review(api, andon.pk, "agent1", {"verdict": "valid"}).status_code == 403
    assert review(api, andon.pk, "agent2", {"verdict": "valid"}).status_code == 403
    assert review(api, andon.pk, "lead2", {"verdict": "valid"}).status_code == 403
    User.objects.filter(username="integrator").update(is_staff=True)
    assert review(api, andon.pk, "integrator", {"verdict": "valid"}).status_code == 201


def test_when_the_team_lead_changes_the_wrong_pull_stays_with_the_lead_of_the_pull(api):
    andon = pull(api.world, "agent1")
    # lead2 takes over team 1 after the pull; the new lead may review it...
    Team.objects.filter(code="team-1").update(lead=api.world.users["lead2"])
    r = review(
        api,
        andon.pk,
        "lead2",
        {"verdict": "invalid", "root_cause": "person", "action": "一对一辅导"},
    )
    assert r.status_code == 201, r.content
    # ...but the invalid pull counts against lead1, who led the team when it was pulled.
    assert r.json()["team_lead"] == "lead1"
    rows = api.call("GET", "/kpis/bad-andon-rate?period=week", "lead1").json()["rows"]
    assert [(x["team_lead"], x["reviewed"], x["invalid"]) for x in rows] == [("lead1", 1, 1)]


def test_a_retried_review_with_the_same_idempotency_key_is_replayed(api):
    andon = pull(api.world, "agent1")
    first = review(api, andon.pk, "lead1", {"verdict": "valid"}, HTTP_IDEMPOTENCY_KEY="rv-1")
    again = review(api, andon.pk, "lead1", {"verdict": "valid"}, HTTP_IDEMPOTENCY_KEY="rv-1")
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert BonusCredit.objects.count() == 1


def test_the_review_queue_is_the_leads_own_unreviewed_pulls(api):
    mine = pull(api.world, "agent1")
    theirs = pull(api.world, "agent2")
    q1 = api.call("GET", "/reviews/queue", "lead1").json()
    assert [x["andon_id"] for x in q1] == [mine.pk]
    q2 = api.call("GET", "/reviews/queue", "lead2").json()
    assert [x["andon_id"] for x in q2] == [theirs.pk]
    assert api.call("GET", "/reviews/queue", "agent1").status_code == 403
    review(api, mine.pk, "lead1", {"verdict": "valid"})
    assert api.call("GET", "/reviews/queue", "lead1").json() == []
    assert CorrectiveAction.objects.count() == 0
