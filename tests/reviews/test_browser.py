"""The review flow and the Monday review in Chromium, in both languages, with screenshots of
the charts (docs/screenshots/reviews-*.png when ANDON_UPDATE_SCREENSHOTS=1, else test
artifacts) and the Monday review printed to PDF."""

from __future__ import annotations

import random

import pytest

from andon.demo.reviews_history import load_review_history
from andon.reviews.models import PullReview

from ..web.browser import shot as browser_shot
from ..web.browser import sign_in as browser_sign_in
from .factories import pull

WORDS = {
    "en": {
        "kpis": "Bad-andon rate",
        "monday": "Monday review",
        "saved": "It counts against",
        "valid": "credited to",
        "invalid": "invalid",
        "cause": "training",
    },
    "zh-hans": {
        "kpis": "不良按灯率",
        "monday": "周一例会",
        "saved": "计入按灯时的组长",
        "valid": "记入奖金",
        "invalid": "无效",
        "cause": "training",
    },
}


def sign_in(browser, base_url: str, username: str, lang: str):
    return browser_sign_in(
        browser, base_url, username, lang, viewport={"width": 1280, "height": 900}
    )


def shot(page, name: str, full_page: bool = False) -> None:
    browser_shot(page, f"reviews-{name}", full_page=full_page)


def charts_drawn(page) -> None:
    page.wait_for_selector("body[data-charts-ready=true]")
    # Every canvas has pixels: the chart library ran and drew something.
    assert page.evaluate("""() => [...document.querySelectorAll('canvas')].every(c =>
        c.width > 0 && c.getContext('2d').getImageData(0, 0, c.width, c.height).data
          .some(v => v !== 0))""")


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_a_lead_reviews_pulls_and_follows_the_rate(live_server, world, browser, lang):
    load_review_history(weeks=8, rng=random.Random(3))
    wrong, right = pull(world, "agent1"), pull(world, "agent1")
    words = WORDS[lang]
    page = sign_in(browser, live_server.url, "lead1", lang)
    page.goto("/reviews/")
    row = page.locator(f"#andon-{wrong.pk}")
    row.get_by_role("radio").nth(1).check()
    row.locator("select[name=root_cause]").select_option("training")
    row.locator("input[name=action]").fill("按灯规则培训 / cord rules training")
    shot(page, f"queue-{lang}")
    row.locator("button[type=submit]").click()
    row.locator("p.ok").wait_for()
    assert words["saved"] in row.inner_text()
    other = page.locator(f"#andon-{right.pk}")
    other.get_by_role("radio").first.check()  # nothing is preselected
    other.locator("button[type=submit]").click()
    other.locator("p.ok").wait_for()
    assert words["valid"] in other.inner_text()
    verdicts = dict(
        PullReview.objects.filter(andon__in=[wrong, right]).values_list("andon_id", "verdict")
    )
    assert verdicts == {wrong.pk: "invalid", right.pk: "valid"}

    page.goto("/reviews/kpis/")
    assert words["kpis"] in page.locator("h1").inner_text()
    charts_drawn(page)
    assert page.locator(".kpi-status.red").count() and page.locator(".kpi-status.green").count()
    shot(page, f"kpis-{lang}")
    # Drill down from the newest row of lead1: this week, with the wrong pull's root cause.
    page.locator("tbody tr", has_text="lead1").first.get_by_role("link").click()
    page.wait_for_load_state("networkidle")
    assert f"ANDON-{wrong.pk}" in page.locator("main").inner_text()
    shot(page, f"drill-{lang}")


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_monday_review_prints_with_its_charts(live_server, world, browser, lang, tmp_path):
    load_review_history(weeks=8, rng=random.Random(3))
    page = sign_in(browser, live_server.url, "lead1", lang)
    page.goto("/reviews/monday/")
    assert WORDS[lang]["monday"] in page.locator("h1").inner_text()
    charts_drawn(page)
    assert page.locator(".tile").count() == 7
    assert page.locator("#trend").is_visible() and page.locator("#causes").is_visible()
    shot(page, f"monday-{lang}")
    page.select_option("select[name=lead]", "lead1")
    page.wait_for_load_state("networkidle")
    charts_drawn(page)
    assert "lead1" in page.locator("h1").inner_text()
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    pdf = tmp_path / f"monday-{lang}.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert pdf.read_bytes()[:4] == b"%PDF" and pdf.stat().st_size > 20_000
