"""SPEC "Interfaces": pulling the cord from a product page takes one click, one line of text
and one confirm, and works from the keyboard alone."""

from __future__ import annotations

import pytest

from andon.catalog.models import Product
from andon.contacts.models import Contact
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


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_from_the_product_page_the_cord_is_one_click_one_line_and_enter(
    live_server, shop, browser, lang
):
    two_contacts(shop)
    page = sign_in(browser, live_server.url, "agent2", lang)
    page.goto(f"/products/{SKU}/")
    hands = Counted(page)
    hands.click("#cord-print-defect button.cord")
    page.wait_for_function("document.activeElement.id === 'note-print-defect'")
    hands.type_line(":focus", "pages 100-101 uncut")  # typed where the focus already is
    hands.press("Enter")
    page.locator("#pull-result").wait_for()
    assert (hands.clicks, hands.lines, hands.keys) == (1, 1, 1)
    assert Andon.objects.get().note == "pages 100-101 uncut"
    page.context.close()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_from_the_recorded_contacts_suggestion_the_cord_is_one_click_one_line_and_enter(
    live_server, shop, browser, lang
):
    """The customer's page, right after the second customer's contact, says "you may pull"
    and links to the product page with the cord open: the line has the focus on arrival (a
    `#fragment` in that link made Chromium skip autofocus and cost a click)."""
    two_contacts(shop)
    second = Contact.objects.order_by("-id").first()
    page = sign_in(browser, live_server.url, "agent2", lang)
    page.goto(f"/customers/cust-b/?recorded={second.pk}")
    hands = Counted(page)
    hands.click("#recorded a")
    page.wait_for_load_state("load")
    assert "#" not in page.url
    page.wait_for_function("document.activeElement.id === 'note-print-defect'")
    hands.type_line(":focus", "100-101页未裁开")
    hands.press("Enter")
    page.locator("#pull-result").wait_for()
    assert (hands.clicks, hands.lines, hands.keys) == (1, 1, 1)
    assert Andon.objects.get().note == "100-101页未裁开"
    assert Product.objects.get(sku=SKU).listing_status == "suppressed"
    page.context.close()


def test_the_cord_link_without_javascript_lands_on_the_open_cord_without_a_fragment(shop, login):
    two_contacts(shop)
    r = login("agent2").get(f"/products/{SKU}/cord?reason=print-defect")
    assert r.status_code == 302 and r["Location"] == f"/products/{SKU}/?cord=print-defect"
