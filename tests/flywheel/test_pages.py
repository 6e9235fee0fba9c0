"""The console pages of the flywheel: the dashboard with its numbers, the exports with the same
numbers, scorecards, the rows behind a figure, the inbox, the alarm in the Monday review."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.test import Client

from andon.flywheel import rules, selectors
from andon.flywheel.alarms import TeamSilence
from andon.people.models import Team

from .small_world import W, build_small

pytestmark = pytest.mark.django_db


@pytest.fixture
def login():
    def _login(username: str, language: str = "en") -> Client:
        c = Client(headers={"accept-language": language})
        assert c.login(username=username, password=f"{username}-pass")
        return c

    return _login


@pytest.fixture
def frozen(monkeypatch):
    """The pages' "today" is the small world's TODAY."""
    from .small_world import TODAY

    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


def _row(html: str, key: str) -> list[str]:
    row = re.search(rf'<tr data-row="{key}">(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]


def test_dashboard_page_and_exports_agree(world, login, frozen):
    build_small(world)
    c = login("lead1")
    html = c.get("/flywheel/?period=week").content.decode()
    assert 'data-figure="pulls"' in html and "data-hidden-note" not in html
    assert 'data-figure="enrolments"' in html and 'data-figure="renewal_rate"' in html
    pulls = _row(html, "pulls")
    assert pulls[0] == "Pulls" and pulls[-2:] == ["1", "2"]
    sla = _row(html, "work_order_sla_met")
    assert sla[-1] == "50.0%"
    assert _row(html, "gmv_protected")[-1] == "380.00"
    assert _row(html, "contain_hours")[-1] == "24.0 h"
    xlsx = c.get("/flywheel.xlsx?period=week")
    assert xlsx.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    rows = {r[2]: r for r in ws.iter_rows(values_only=True)}
    assert rows["Pulls"][-2:] == (1, 2)
    assert float(rows["Work orders resolved in time"][-1]) == 50.0
    assert rows["Work orders resolved in time"][3] == "%"
    assert float(rows["GMV protected (held units × price)"][-1]) == 380.0
    assert float(rows["Time to contain (first report → pull, mean)"][-1]) == 24.0
    # Every number of the page's table is in the spreadsheet.
    for key, name in [("pulls", "Pulls"), ("bad_andon_rate", "Bad-andon rate")]:
        page = _row(html, key)[1:]
        sheet = ["—" if v is None else v for v in rows[name][5:]]
        assert [None if p == "—" else float(p.rstrip("%")) for p in page] == [
            None if v == "—" else float(v) for v in sheet
        ]
    cells = {r[2].value: r for r in ws.iter_rows()}
    assert cells["Bad-andon rate"][-1].number_format == "0.0"
    assert cells["GMV protected (held units × price)"][-1].number_format == "#,##0.00"
    csv = c.get("/flywheel.csv?period=month&team=team-1").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("layer,element,figure,unit,target,")


def test_dashboard_in_chinese_and_roles(world, login, frozen):
    build_small(world)
    html = login("lead1", "zh-hans").get("/flywheel/?period=month&team=team-2").content.decode()
    assert "飞轮" in html
    assert login("agent1").get("/flywheel/").status_code == 403
    assert login("vendor1").get("/flywheel/scorecards/").status_code == 403


def test_rows_behind_and_scorecards(world, login, frozen):
    s = build_small(world)
    c = login("lead1")
    html = c.get(f"/flywheel/rows/?figure=pulls&period=week&start={W:%Y-%m-%d}").content.decode()
    assert f"ANDON-{s.a1.pk}" in html and f"ANDON-{s.a2.pk}" in html
    html = c.get(
        f"/flywheel/rows/?figure=work_order_sla_met&period=week&start={W:%Y-%m-%d}"
    ).content.decode()
    assert "bad glue" in html
    html = c.get("/flywheel/scorecards/?by=department").content.decode()
    assert "Vendor management" in html and "380.00" in html
    html = c.get("/flywheel/scorecards/?by=supplier&key=S1").content.decode()
    assert f"ANDON-{s.a1.pk}" in html


def test_inbox_page_and_nav_count(world, login):
    s = build_small(world)
    c = login("agent1")
    html = c.get("/inbox/").content.decode()
    assert "bad glue" in html and "data-unread" in html
    assert "data-inbox-unread>2<" in html
    c.post("/inbox/read", {"andon": [s.a1.pk]})
    html = c.get("/inbox/").content.decode()
    assert "data-inbox-unread>1<" in html
    assert "bad glue" not in login("agent2").get("/inbox/").content.decode()


def test_inbox_page_asks_for_the_unread_once(world, login, django_assert_max_num_queries):
    """The page's list, its count and the header's count come from one read of the unread:
    nine queries (four for the session, the person and their roles; five for the inbox)."""
    s = build_small(world)
    c = login("agent1")
    with django_assert_max_num_queries(9):
        html = c.get("/inbox/").content.decode()
    assert "data-inbox-unread>2<" in html and '<span class="badge" data-unread>2</span>' in html
    c.post("/inbox/read", {"andon": [s.a1.pk]})
    with django_assert_max_num_queries(9):
        html = c.get("/inbox/").content.decode()
    assert "data-inbox-unread>1<" in html and '<span class="badge" data-unread>1</span>' in html


def test_alarm_on_dashboard_and_monday_review(world, login, monkeypatch, frozen):
    t1 = Team.objects.get(code="team-1")
    test = rules.silence_test(
        pulls=1, contacts=100, baseline_pulls=[10] * 8, baseline_contacts=[100] * 8
    )
    fake = [TeamSilence(t1.pk, "team-1", "Team 1", t1.lead_id, "week", W, test)]
    monkeypatch.setattr("andon.web.views.flywheel.alarms", lambda **kw: fake)
    monkeypatch.setattr("andon.web.views.reviews.alarms", lambda **kw: fake)
    html = login("lead1").get("/flywheel/").content.decode()
    assert 'data-alarm="team-1"' in html and "1 pulls for 100 contacts" in html
    assert 'data-alarm="team-1"' in login("lead1").get("/reviews/monday/").content.decode()
    assert 'data-alarm="team-1"' not in login("lead2").get("/reviews/monday/").content.decode()
    assert selectors  # the module the pages read


def test_scorecard_exports_have_the_pages_numbers(world, login, frozen):
    build_small(world)
    c = login("lead1")
    html = c.get("/flywheel/scorecards/?by=department").content.decode()
    assert "380.00" in html and "100.0%" in html
    xlsx = c.get("/flywheel/scorecards.xlsx?by=department")
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    rows = {r[0]: r for r in list(ws.iter_rows(values_only=True))[1:]}
    vendor = rows["Vendor management"]
    assert vendor[1:5] == (1, 1, 4, 380) and float(vendor[5]) == 10.0
    assert float(vendor[7]) == 100.0 and float(rows["Warehouse & logistics"][7]) == 0.0
    csv = c.get("/flywheel/scorecards.csv?by=supplier").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("supplier,pulls,problems,units held")
    assert any(line.startswith("S1,1,1,4,380.00") for line in csv.splitlines())


def test_membership_on_the_page_and_in_the_exports(world, login, frozen):
    from .test_membership import build_members

    build_members()
    c = login("lead1")
    html = c.get("/flywheel/?period=week").content.decode()
    assert _row(html, "enrolments")[0] == "Member enrolments"
    # The last week is 9 March: the tick's week (9 February) is 5 back, 5 January 10 back.
    trial = _row(html, "trial_conversion")
    assert (trial[-10], trial[-5], trial[-1]) == ("0.0%", "100.0%", "—")
    assert _row(html, "renewal_rate")[-5] == "50.0%"
    assert _row(html, "enrolments")[-10] == "6"
    xlsx = c.get("/flywheel.xlsx?period=week")
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    rows = {r[2]: r for r in ws.iter_rows(values_only=True)}
    assert rows["Member enrolments"][0] == "Membership, the accelerator"
    for key, name in [
        ("enrolments", "Member enrolments"),
        ("trial_conversion", "Trials converted to paid (of trials decided)"),
        ("renewal_rate", "Paid periods renewed (of renewals due)"),
    ]:
        page = _row(html, key)[1:]
        sheet = rows[name][5:]
        assert [None if p == "—" else float(p.rstrip("%")) for p in page] == [
            None if v is None else float(v) for v in sheet
        ]
    csv = c.get("/flywheel.csv?period=week").content.decode("utf-8-sig")
    assert "Member enrolments" in csv
    # The members behind the figures are on the membership page, which a lead may open.
    assert 'href="/membership/"' in html
    assert c.get("/membership/").status_code == 200
