"""Rates as the managers read them in Chromium, both languages: rounded, never truncated
(2/26 reads 7.7 %), never "2.0 % above target 2.0 %", the same number in the table, the chart
and the Monday review."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from andon.people.models import Team
from andon.reviews import rules

from ..web.browser import sign_in
from .factories import past_andons, reviewed


def this_monday_10() -> dt.datetime:
    monday = rules.period_start(timezone.localdate(), rules.Period.WEEK)
    return dt.datetime.combine(monday, dt.time(10), timezone.get_current_timezone())


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_rates_are_rounded_and_never_contradict_the_target(live_server, world, browser, lang):
    u = world.users
    at = this_monday_10()
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
    page = sign_in(browser, live_server.url, "lead1", lang)
    page.goto("/reviews/kpis/?period=week&by=team_lead")
    cells = {
        row.locator("td").nth(1).inner_text(): row.locator("td").nth(4).inner_text()
        for row in page.locator("tbody tr").all()
    }
    assert cells == {"lead1": "7.7%", "lead2": "2.04%"}  # truncation said 7.6% and 2.0%
    chart = json.loads(page.locator("#trend-data").text_content())
    points = {
        d["label"]: [v for v in d["data"] if v is not None] for d in chart["data"]["datasets"]
    }
    assert points["lead1"] == [7.7] and points["lead2"] == [2.04]
    assert set(points[next(k for k in points if k not in ("lead1", "lead2"))]) == {2.0}  # target
    assert "2.0%" in page.locator("main p.muted").first.inner_text()
    page.goto(f"/reviews/monday/?week={at.date():%Y-%m-%d}&lead=lead2")
    tile = page.locator(".tile").nth(2).inner_text()
    with translation.override(lang):
        above = capfirst(_("above target"))
    assert tile.index("2.04%") < tile.index(above) < tile.index("2.0%", tile.index("2.04%") + 1)
    page.context.close()
