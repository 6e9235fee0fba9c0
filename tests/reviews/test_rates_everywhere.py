"""One rounding of rates everywhere a manager reads one: the console table, the chart, the
CSV export, the Monday review and the API's display field; the API keeps the value itself."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.utils import timezone

from andon.people.models import Team
from andon.reviews import rules

from .factories import past_andons, reviewed

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_leads(world):
    u = world.users
    monday = rules.period_start(timezone.localdate(), rules.Period.WEEK)
    at = dt.datetime.combine(monday, dt.time(10), timezone.get_current_timezone())
    t1, t2 = Team.objects.get(code="team-1"), Team.objects.get(code="team-2")
    reviewed(
        past_andons(agent=u["agent1"], lead=u["lead1"], team=t1, at=at, n=26),
        invalid=2,
        reviewer=u["lead1"],
    )
    reviewed(
        past_andons(agent=u["agent2"], lead=u["lead2"], team=t2, at=at, n=49),
        invalid=1,
        reviewer=u["lead2"],
    )
    return monday


def test_the_api_keeps_the_value_and_adds_what_the_console_shows(api, two_leads):
    rows = api.call("GET", "/kpis/bad-andon-rate?period=week", "lead1").json()["rows"]
    got = {r["team_lead"]: (r["rate"], r["rate_display"], r["status"]) for r in rows}
    assert got == {"lead1": ("0.0769", "7.7%", "red"), "lead2": ("0.0204", "2.04%", "red")}
    monday = api.call(
        "GET", f"/kpis/monday-review?week={two_leads:%Y-%m-%d}&team_lead=lead2", "lead1"
    ).json()
    assert (monday["rate"], monday["rate_display"]) == ("0.0204", "2.04%")


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_table_chart_and_csv_show_the_same_rounded_number(client, world, two_leads, lang):
    client.force_login(world.users["lead1"])
    client.cookies["django_language"] = lang
    page = client.get("/reviews/kpis/?period=week&by=team_lead").content.decode()
    assert ">7.7%<" in page and ">2.04%<" in page and "7.6%" not in page
    chart = json.loads(
        re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', page).group(1)
    )
    data = {d["label"]: [v for v in d["data"] if v is not None] for d in chart["data"]["datasets"]}
    assert data["lead1"] == [7.7] and data["lead2"] == [2.04]
    export = client.get("/reviews/kpis.csv?period=week&by=team_lead")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    by_lead = {r[2]: r for r in rows[1:]}
    assert by_lead["lead1"][3:7] == ["26", "2", "7.7", "2.0"]
    assert by_lead["lead2"][3:7] == ["49", "1", "2.04", "2.0"]
    monday = client.get(f"/reviews/monday/?week={two_leads:%Y-%m-%d}&lead=lead2").content
    assert b"<b>2.04%</b>" in monday


def test_an_agent_gets_no_kpi_export(client, world, two_leads):
    client.force_login(world.users["agent1"])
    assert client.get("/reviews/kpis.csv").status_code == 403
