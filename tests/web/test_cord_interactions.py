"""SPEC "Interfaces": pulling the cord from a product page takes one click, one line of text
and one confirm, and works from the keyboard alone."""

from __future__ import annotations

import pytest

from andon.catalog.models import Product
from andon.pulls.models import Andon

from ..world import SKU
from .browser import sign_in
from .state import two_contacts

pytestmark = pytest.mark.django_db(transaction=True)


class Counted:
    """The person's hands: every click, typed line and key press goes through here."""

    def __init__(self, page) -> None:
        self.page = page
        self.clicks = self.lines = self.keys = 0

    def click(self, selector: str) -> None:
        self.clicks += 1
        self.page.click(selector)

    def type_line(self, selector: str, text: str) -> None:
        assert "\n" not in text
        self.lines += 1
        self.page.fill(selector, text)

    def press(self, key: str) -> None:
        self.keys += 1
        self.page.keyboard.press(key)


def test_a_pull_from_the_product_page_is_one_click_one_line_one_confirm(live_server, shop, browser):
    two_contacts(shop)
    page = sign_in(browser, live_server.url, "agent2", "en")
    page.goto(f"/products/{SKU}/")
    hands = Counted(page)
    hands.click("#cord-print-defect button.cord")
    hands.type_line("#note-print-defect", "pages 100-101 uncut")
    hands.click("form.cord-form button[type=submit]")  # the confirm
    page.locator("#pull-result").wait_for()
    assert (hands.clicks, hands.lines, hands.keys) == (2, 1, 0)  # one click + one confirm
    assert Product.objects.get(sku=SKU).listing_status == "suppressed"
    assert Andon.objects.count() == 1
    page.context.close()


def test_the_cord_works_from_the_keyboard(live_server, shop, browser):
    two_contacts(shop)
    page = sign_in(browser, live_server.url, "agent2", "en")
    page.goto(f"/products/{SKU}/")
    hands = Counted(page)
    # Tab through the page until the cord's button has the focus.
    for _ in range(40):
        hands.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('cord')"):
            break
    else:
        pytest.fail("the cord's button cannot be reached with Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focus is visible"
    hands.press("Enter")
    page.wait_for_selector("#note-print-defect")
    page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'note-print-defect'"
    )  # the input takes the focus at once
    page.keyboard.type("pages 100-101 uncut")
    hands.press("Enter")  # Enter in the one-line input is the confirm
    page.locator("#pull-result").wait_for()
    assert Andon.objects.get().note == "pages 100-101 uncut"
    page.context.close()
