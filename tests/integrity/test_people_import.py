"""The `people` import kind: an organisation brings its people (accounts without passwords,
roles, teams and leads); admins only; idempotent; bad rows named by field."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from andon.core.models import ApiToken, hash_token
from andon.people.models import Profile, Team

pytestmark = pytest.mark.django_db

PEOPLE = [
    {"username": "li.lead", "display_name": "李组长", "role": "team_lead", "team": "east"},
    {
        "username": "wang.a",
        "display_name": "王客服",
        "role": "agent",
        "team": "east",
        "team_lead": "li.lead",
    },
    {"username": "zhao.c", "display_name": "赵确认", "role": "confirmer"},
]


@pytest.fixture
def admin_auth(world):
    admin = User.objects.create_user(username="boss", password="boss-pass", is_staff=True)
    raw = ApiToken.new_raw()
    ApiToken.objects.create(user=admin, token_hash=hash_token(raw), prefix=raw[:12])
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": "en"}


def _imp(client, auth, rows):
    import json

    return client.post(
        "/api/v1/imports/people", data=json.dumps(rows), content_type="application/json", **auth
    )


def test_people_are_created_with_roles_teams_and_leads_and_no_password(client, admin_auth):
    r = _imp(client, admin_auth, PEOPLE)
    assert r.status_code == 200, r.content
    assert r.json() == {"created": 3, "updated": 0, "unchanged": 0, "rejected": []}
    wang = User.objects.get(username="wang.a")
    assert not wang.has_usable_password()
    assert list(wang.groups.values_list("name", flat=True)) == ["agent"]
    assert Profile.objects.get(user=wang).display_name == "王客服"
    east = Team.objects.get(code="east")
    assert east.lead.username == "li.lead" and Profile.objects.get(user=wang).team == east
    assert _imp(client, admin_auth, PEOPLE).json()["unchanged"] == 3
    moved = [{**PEOPLE[1], "role": "team_lead"}]
    assert _imp(client, admin_auth, moved).json()["updated"] == 1
    assert list(wang.groups.values_list("name", flat=True)) == ["team_lead"]


def test_bad_people_rows_are_named_and_the_others_go_in(client, admin_auth):
    rows = [
        {"username": "a", "role": "admin"},
        {"username": "b", "role": "agent", "team": "x", "team_lead": "nobody"},
        {"username": "c", "role": "agent", "team_lead": "d"},
        {"username": "d", "role": "agent"},
    ]
    body = _imp(client, admin_auth, rows).json()
    assert body["created"] == 1
    assert [(x["row"], x["field"]) for x in body["rejected"]] == [
        (1, "role"),
        (2, "team_lead"),
        (3, "team"),
    ]


def test_only_admins_import_people(api):
    r = api.call("POST", "/imports/people", "integrator", PEOPLE)
    assert r.status_code == 403
    assert not User.objects.filter(username="wang.a").exists()
