"""Issue 8, point 14, on the detection pages (the Problems page, a problem, the product page's
problems, the suggestion after a contact): reason labels and not codes, moments written one
way, and full-width colons in Chinese."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from andon.detection.models import Assignment

from ..web.browser import sign_in
from ..web.test_console_in_browser import BROKEN, TABLET
from ..web.text import readable_text
from ..world import SKU

pytestmark = pytest.mark.django_db
CODES = ("print-defect", "wrong-item")


def _pages(catalogue) -> list[tuple[str, str]]:
    product = catalogue.product(SKU)
    catalogue.report(product, "100-101页未裁开，连在一起", reason="print-defect")
    second = catalogue.report(
        product,
        "Pages 100 and 101 are still joined at the top, never cut",
        reason="wrong-item",
        agent="agent2",
    )
    problem_id = Assignment.objects.get(contact_id=second.pk).problem_id
    return [
        ("lead1", "/problems/"),
        ("lead1", f"/problems/{problem_id}/"),
        ("agent2", f"/products/{SKU}/"),
        ("agent2", f"/customers/{second.customer.external_id}/?recorded={second.pk}"),
    ]


def _get(user: str, url: str, lang: str) -> str:
    c = Client(headers={"accept-language": lang})
    assert c.login(username=user, password=f"{user}-pass")
    r = c.get(url)
    assert r.status_code == 200, url
    return r.content.decode()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_detection_pages_name_reasons_by_label_and_write_moments_one_way(catalogue, model, lang):
    for user, url in _pages(catalogue):
        html = _get(user, url, lang)
        shown = " ".join(readable_text(html))
        visible = unescape(
            re.sub(r"<[^>]+>", " ", re.sub(r"<(select|script)\b.*?</\1>", "", html, flags=re.S))
        )
        for code in CODES:
            assert code not in shown and code not in visible, (url, code)
        assert not re.search(r"\b(a\.m\.|p\.m\.|midnight|noon)\b", visible), url
        assert not re.search(r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\.? \d", visible), url
        for moment in re.findall(r"<time [^>]*>([^<]*)</time>", html):
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?", moment), (url, moment)


def test_detection_pages_use_full_width_colons_in_chinese(catalogue, model):
    for user, url in _pages(catalogue):
        texts = readable_text(_get(user, url, "zh-hans"))
        ascii_colons = [x for x in texts if re.search(r"(?<!\d):|:(?!\d)", x)]
        assert not ascii_colons, (url, ascii_colons)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_detection_pages_never_break_ids_amounts_or_moments_on_a_tablet(
    live_server, catalogue, model, browser, lang
):
    people = {}
    for user, url in _pages(catalogue):
        if user not in people:
            people[user] = sign_in(browser, live_server.url, user, lang, viewport=TABLET)
        page = people[user]
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert not page.evaluate(BROKEN), (url, page.evaluate(BROKEN))
        assert page.locator(".badge, .id, .money, time").count() > 0, url
    for page in people.values():
        page.context.close()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_problem_one_customer_reported_says_what_the_cord_needs_not_a_disabled_button(
    catalogue, model, lang
):
    product = catalogue.product(SKU)
    catalogue.report(product, "100-101页未裁开，连在一起", reason="print-defect")
    html = _get("agent2", f"/products/{SKU}/", lang)
    problems = html.split('id="problem-', 1)[1]
    assert "disabled" not in problems
    text = " ".join(readable_text(problems))
    if lang == "en":
        assert "The cord needs 2 customers within 30 days" in text, text
    else:
        assert "2" in text and "30" in text, text
