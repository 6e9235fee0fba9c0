"""Launch plans: milestones at day 30, 60 and 90 with targets, each against the figure
measured for the launch's plan from the start to its day; green when met, red when missed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from andon.core.models import ApiToken, AuditEntry, hash_token
from andon.membership import rules
from andon.membership.rules import MilestoneStatus, Source
from andon.membership.services import membership_enrol, membership_tick, plans_ensure_defaults
from andon.orders.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(world):
    plans_ensure_defaults()
    user = User.objects.create_user(username="mm1", password="x")
    user.groups.add(Group.objects.get_or_create(name="membership_manager")[0])
    raw = ApiToken.new_raw()
    ApiToken.objects.create(user=user, token_hash=hash_token(raw), prefix=raw[:12])
    world.tokens["mm1"] = raw
    return user


def body(**over):
    start = timezone.localdate() - dt.timedelta(days=70)
    return {
        "code": "cn-launch",
        "name_zh": "华东上线",
        "name_en": "East China launch",
        "plan": "member-98",
        "segment": "华东",
        "starts_on": start.isoformat(),
        "milestones": [
            {"day": 30, "metric": "enrolments", "target": "3", "tasks": "短信邀请\n客服推荐"},
            {"day": 60, "metric": "trial_conversion", "target": "0.9"},
            {"day": 90, "metric": "enrolments", "target": "4"},
        ],
        **over,
    }


def test_rules_green_when_met_red_when_the_day_passes_without_it():
    s = rules.milestone_status
    assert s(target=Decimal("3"), measured=Decimal("3"), due=False) == MilestoneStatus.MET
    assert s(target=Decimal("3"), measured=Decimal("2"), due=False) == MilestoneStatus.BEHIND
    assert s(target=Decimal("3"), measured=Decimal("2"), due=True) == MilestoneStatus.MISSED
    assert s(target=Decimal("0.5"), measured=None, due=False) == MilestoneStatus.NO_DATA
    assert s(target=Decimal("0.5"), measured=None, due=True) == MilestoneStatus.MISSED


def test_a_launch_mid_way_day_30_met_day_60_missed_day_90_behind(api, manager):
    r = api.call("POST", "/membership/launches", "mm1", body())
    assert r.status_code == 201, r.content
    start = dt.datetime.combine(
        timezone.localdate() - dt.timedelta(days=70), dt.time(), timezone.get_current_timezone()
    )
    for i in range(3):
        c = Customer.objects.create(external_id=f"l-{i}", name=f"L{i}")
        membership_enrol(
            actor=None,
            customer=c,
            plan_code="member-98",
            source=Source.CAMPAIGN,
            trial=True,
            at=start + dt.timedelta(days=2),
        )
    membership_tick(now=start + dt.timedelta(days=33))  # all three trials convert on day 32
    r = api.call("GET", "/membership/launches/cn-launch", "lead1")
    assert r.status_code == 200
    got = [(m["day"], m["measured"], m["status"], m["due"]) for m in r.json()["milestones"]]
    assert got == [
        (30, "3", "met", True),
        (60, "1.0", "met", True),
        (90, "3", "behind", False),
    ]
    assert r.json()["milestones"][0]["tasks"] == ["短信邀请", "客服推荐"]
    assert r.json()["owners"] == ["mm1"]
    assert AuditEntry.objects.filter(action="membership.launch_planned").count() == 1
    assert len(api.call("GET", "/membership/launches", "mm1").json()) == 1


@pytest.mark.parametrize(
    ("over", "status", "field"),
    [
        ({"milestones": [{"day": 30, "metric": "renewal_rate", "target": "1.5"}]}, 422, "target"),
        (
            {"milestones": [{"day": 0, "metric": "enrolments", "target": "1"}]},
            422,
            "milestones[0].day",
        ),
        ({"milestones": []}, 422, "milestones"),
        ({"plan": "gold"}, 422, "plan"),
        ({"starts_on": "2026-02-30"}, 422, "starts_on"),
        ({"code": "has space"}, 422, "code"),
    ],
)
def test_bad_launches_are_problems_naming_the_field(api, manager, over, status, field):
    r = api.call("POST", "/membership/launches", "mm1", body(**over))
    assert r.status_code == status, r.content
    assert r.json()["field"] == field


def test_only_membership_managers_plan_and_a_code_is_taken_once(api, manager):
    assert api.call("POST", "/membership/launches", "lead1", body()).status_code == 403
    assert api.call("GET", "/membership/launches", "agent1").status_code == 403
    assert api.call("POST", "/membership/launches", "mm1", body()).status_code == 201
    again = api.call("POST", "/membership/launches", "mm1", body())
    assert again.status_code == 409 and again.json()["field"] == "code"


def test_the_launch_page_says_red_and_green_in_words_and_colour(client, api, manager, world):
    from ..web.test_i18n_and_escaping import _offenders

    api.call("POST", "/membership/launches", "mm1", body())
    client.force_login(world.users["lead1"])
    for lang, met, missed in (("en", "Met", "Missed"), ("zh-hans", "已达成", "未达成")):
        client.cookies["django_language"] = lang
        page = client.get("/membership/launches/cn-launch/")
        text = page.content.decode()
        assert page.status_code == 200
        # Nobody enrolled: day 30 and 60 have passed without their figures, day 90 is ahead.
        assert text.count(f'<span class="kpi-status red">{missed}</span>') == 2
        assert met not in text.split("<tbody>")[-1]
        assert "短信邀请" in text
        assert not _offenders(text, lang), _offenders(text, lang)
        index = client.get("/membership/").content.decode()
        assert 'href="/membership/launches/cn-launch/"' in index
    assert client.get("/membership/launches/nope/").status_code == 404
    client.force_login(world.users["agent1"])
    assert client.get("/membership/launches/cn-launch/").status_code == 403
