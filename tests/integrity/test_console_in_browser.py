"""The Integrity page in Chromium, both languages: filter, open a signal with its evidence,
a refused decision says why, a dismissal is recorded and counted in the measured precision."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from andon.integrity.models import Signal, SignalDecision
from andon.integrity.services import scan
from bench.integrity_world import build

from ..web.browser import shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = {
    "zh-hans": {"title": "风险信号", "why": "请用一句话说明原因", "dismissed": "已排除"},
    "en": {"title": "Integrity", "why": "Say why, in one line", "dismissed": "Dismissed"},
}


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_team_lead_triages_a_signal_in_the_browser(live_server, browser, lang):
    build(808, customers=600)
    scan()
    lead = User.objects.create_user(username="lead-b", password="lead-b-pass")
    lead.groups.add(Group.objects.get_or_create(name="team_lead")[0])
    t = TEXT[lang]

    page = sign_in(browser, live_server.url, "lead-b", lang)
    page.goto("/integrity/")
    assert page.locator("h1").inner_text() == t["title"]
    page.select_option("#f-kind", "staff-misuse")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    rows = page.locator("#signals tbody tr")
    assert rows.count() >= 3
    assert "w-agent04" in page.locator("#signals").inner_text()
    shot(page, f"integrity-{lang}", full_page=True)

    signal = Signal.objects.get(kind="staff-misuse", subject="w-agent04")
    page.goto(f"/integrity/signals/{signal.pk}/")
    assert page.locator("#reasons li").count() >= 1
    assert "reviewed" in page.locator("#evidence").inner_text()
    page.check("input[name=status][value=dismissed]")
    page.click("#decide button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert t["why"] in page.locator("p.error").inner_text()
    page.check("input[name=status][value=dismissed]")
    page.fill(
        "#reason", "培训期的练习拉灯" if lang == "zh-hans" else "training-period practice pulls"
    )
    page.click("#decide button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert t["dismissed"] in page.locator("main").inner_text()
    assert page.locator("#decisions li").count() == 1
    assert SignalDecision.objects.filter(signal=signal, actor=lead).exists()
    page.goto("/integrity/")
    assert "0%" in page.locator("#precision").inner_text()
    page.context.close()
