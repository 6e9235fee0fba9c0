"""The header's language switch changes the console's language whatever the browser says, and
the pages people work in fit a tablet and a small laptop: no sideways scrolling, and the
button that matters (the cord, the queue's next step) is on screen and takes the focus."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from andon.pulls.services import andon_pull

from ..world import SKU
from .browser import shot, sign_in
from .state import two_contacts, wo

pytestmark = pytest.mark.django_db(transaction=True)

TABLET = {"width": 820, "height": 1180}
LAPTOP = {"width": 1280, "height": 720}


def t(lang: str, text: str) -> str:
    with translation.override(lang):
        return _(text)


def switch_language(page, code: str) -> None:
    """Choose a language in the header's switch, as a person does (it submits on change)."""
    with page.expect_navigation():
        page.select_option("header.top #lang", code)
    page.wait_for_load_state("networkidle")


def reads(page, lang: str) -> None:
    assert page.locator("html").get_attribute("lang") == ("zh-Hans" if lang == "zh-hans" else "en")
    heading = page.locator("h2").first.inner_text()
    assert heading == t(lang, "Customer reports and the cord"), heading
    button = page.locator("#cord-print-defect button.cord").inner_text().strip()
    assert button == t(lang, "Pull the andon"), button
    assert page.locator("header.top button.link").inner_text() == t(lang, "Sign out")


def test_the_header_switch_changes_the_language_and_back(live_server, shop, browser):
    two_contacts(shop)
    page = sign_in(browser, live_server.url, "agent2", "zh-hans")  # a Chinese browser
    page.goto(f"/products/{SKU}/")
    reads(page, "zh-hans")

    switch_language(page, "en")
    assert page.url.endswith(f"/products/{SKU}/"), "the switch keeps the person on the page"
    reads(page, "en")
    assert page.evaluate("navigator.language") == "zh-CN", "the browser did not change"
    page.goto("/andons/")  # the choice holds on the next page too
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(f"/products/{SKU}/")

    switch_language(page, "zh-hans")
    assert page.url.endswith(f"/products/{SKU}/")
    reads(page, "zh-hans")
    page.context.close()


def fits(page, viewport: dict) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert inner == viewport["width"]
    assert width <= inner, f"{page.url}: {width}px wide in a {inner}px window"


def on_screen_and_focusable(page, selector: str) -> None:
    button = page.locator(selector).first
    button.scroll_into_view_if_needed()
    assert button.is_visible() and button.is_enabled(), selector
    box = button.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= page.evaluate("innerWidth")
    button.focus()
    assert page.evaluate("(s) => document.activeElement === document.querySelector(s)", selector), (
        f"{selector} does not take the focus"
    )


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("name, viewport", [("tablet", TABLET), ("laptop", LAPTOP)])
def test_product_page_and_department_queue_fit_tablet_and_laptop(
    live_server, shop, browser, lang, name, viewport
):
    two_contacts(shop)
    agent = sign_in(browser, live_server.url, "agent2", lang)
    agent.set_viewport_size(viewport)
    agent.goto(f"/products/{SKU}/")
    fits(agent, viewport)
    on_screen_and_focusable(agent, "#cord-print-defect button.cord")
    agent.click("#cord-print-defect button.cord")  # the one-line form opens and still fits
    agent.wait_for_selector("#note-print-defect")
    fits(agent, viewport)
    shot(agent, f"{lang}-{name}-product")
    agent.context.close()

    andon_pull(actor=shop.users["agent2"], sku=SKU, reason="print-defect", note="100-101页未裁开")
    vendor = sign_in(browser, live_server.url, "vendor1", lang)
    vendor.set_viewport_size(viewport)
    vendor.goto("/departments/vendor-management/")
    fits(vendor, viewport)
    card = f"#wo-{wo('vendor-management').pk}"
    assert vendor.locator(card).count() == 1, "the work order is in the queue"
    on_screen_and_focusable(vendor, f"{card} button.primary")
    shot(vendor, f"{lang}-{name}-department-queue")
    vendor.context.close()
