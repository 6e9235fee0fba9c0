"""The flywheel in Chromium, both languages: every figure's chart draws from the vendored
Chart.js, the table shows the small world's numbers, and the inbox's unread count clears."""

from __future__ import annotations

import pytest

from ..web.browser import shot, sign_in
from .small_world import build_small

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_dashboard_draws_every_chart(live_server, world, browser, lang):
    build_small(world)
    page = sign_in(browser, live_server.url, "lead1", lang)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(r.url))
    page.goto("/flywheel/?period=month")
    page.wait_for_selector("body[data-charts-ready=true]")
    assert errors == []
    figures = page.locator("[data-figure]").count()
    assert figures >= 18
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('canvas[data-chart]'))"
        ".filter(c => window.Chart.getChart(c)).length"
    )
    assert drawn == figures
    headers = page.locator("table.figures thead th").all_inner_texts()
    march = headers.index("2026-03")
    pulls = page.locator('tr[data-row="pulls"] td').all_inner_texts()
    assert pulls[march] == "3"
    sla = page.locator('tr[data-row="work_order_sla_met"] td').all_inner_texts()
    assert sla[march] == "50.0%"
    title = page.locator("h1").inner_text()
    assert ("飞轮" if lang == "zh-hans" else "Flywheel") in title
    assert page.locator('[data-figure="trial_conversion"]').is_visible()
    shot(page, f"flywheel-small-{lang}", full_page=True)


def test_inbox_unread_clears(live_server, world, browser):
    build_small(world)
    page = sign_in(browser, live_server.url, "agent1", "en")
    page.goto("/inbox/")
    assert page.locator("[data-inbox-unread]").inner_text() == "2"
    assert "bad glue" in page.locator("main").inner_text()
    page.get_by_role("button", name="Mark all as read").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-inbox-unread]").count() == 0
    assert page.locator("article.unread").count() == 0


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_demo_dashboard_shows_team_2s_silent_cord(live_server, browser, lang):
    """The demo as an executive meets it: every element with a trend, and team 2's alarm on
    the dashboard and in the Monday review (lead2 is team 2's lead). README's screenshot."""
    from io import StringIO

    from django.core.management import call_command

    from ..web.browser import BROWSER_LOCALE, VIEWPORT

    call_command("demo", "--small", stdout=StringIO())
    context = browser.new_context(
        locale=BROWSER_LOCALE[lang], viewport=VIEWPORT, base_url=live_server.url
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", "lead2")
    page.fill("#id_password", "andon-demo")
    page.click("main button[type=submit]")
    page.goto("/flywheel/?period=week")
    page.wait_for_selector("body[data-charts-ready=true]")
    assert page.locator('[data-alarm="team-2"]').is_visible()
    shot(page, f"flywheel-{lang}")
    page.goto("/reviews/monday/")
    assert page.locator('[data-alarm="team-2"]').is_visible()
    context.close()
