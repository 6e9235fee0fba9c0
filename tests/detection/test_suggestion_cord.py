"""Issue 8, point 13, from the detection side: after the second customer's contact, the
suggestion "this sounds like …, you may pull" links to the product page with the problem's
cord open and its line focused, so that the cord is one click, one line and Enter away (its
`#problem-N` fragment made Chromium skip the autofocus and cost a click)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from andon.catalog.models import Product
from andon.detection.models import Assignment
from andon.pulls.models import Andon

from ..web.browser import sign_in
from ..web.test_cord_interactions import Counted
from ..world import SKU


def _second_report(catalogue):
    """Two customers, two codes, one problem: the second contact is the one just recorded."""
    product = catalogue.product(SKU)
    catalogue.report(product, "100-101页未裁开，连在一起", reason="print-defect")
    second = catalogue.report(
        product,
        "Pages 100 and 101 are still joined at the top, never cut",
        reason="wrong-item",
        agent="agent2",
    )
    return product, second


@pytest.mark.django_db
def test_the_suggestion_links_to_the_problems_cord_without_a_fragment(catalogue, model):
    product, second = _second_report(catalogue)
    c = Client()
    assert c.login(username="agent2", password="agent2-pass")
    html = c.get(f"/customers/{second.customer.external_id}/?recorded={second.pk}").content
    link = re.search(r'<a class="button cord" href="([^"]+)"', html.decode()).group(1)
    assert "#" not in link and "problem=" in link, link
    page = c.get(link.replace("&amp;", "&")).content.decode()
    # One line asks for the focus: the problem's (prefilled with the problem), not also the
    # reason's cord that the link names.
    assert len(re.findall(r"\bautofocus\b", page)) == 1, "exactly one focused input"
    focused = re.search(r'<input [^>]*id="([^"]+)"[^>]*autofocus', page).group(1)
    problem_id = Assignment.objects.get(contact_id=second.pk).problem_id
    assert focused.endswith(f"-problem-{problem_id}"), focused
    assert Product.objects.get(pk=product.pk).listing_status == "active", (
        "opening the cord pulls nothing"
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_from_the_suggestion_the_cord_is_one_click_one_line_and_enter(
    live_server, catalogue, model, browser, lang
):
    product, second = _second_report(catalogue)
    page = sign_in(browser, live_server.url, "agent2", lang)
    page.goto(f"/customers/{second.customer.external_id}/?recorded={second.pk}")
    hands = Counted(page)
    hands.click("#suggestion a.cord")
    page.wait_for_load_state("load")
    assert "#" not in page.url
    page.wait_for_function(
        "document.activeElement && document.activeElement.name === 'note'"
        " && document.activeElement.id.includes('-problem-')"
    )
    hands.type_line(":focus", "100-101页未裁开")  # typed where the focus already is
    hands.press("Enter")
    page.locator("#pull-result").wait_for()
    assert (hands.clicks, hands.lines, hands.keys) == (1, 1, 1)
    andon = Andon.objects.get()
    assert andon.note == "100-101页未裁开" and andon.problem_id is not None
    assert andon.evidence.count() == 2, "the problem's contacts, however each was coded"
    assert Product.objects.get(pk=product.pk).listing_status == "suppressed"
    page.context.close()


@pytest.mark.django_db
def test_a_refused_pull_for_a_problem_comes_back_for_that_problem(catalogue, model):
    """An empty line is refused (422, nothing written); the form shown again still carries the
    problem, so that the next Enter pulls for it and not for the bare reason."""
    product, second = _second_report(catalogue)
    problem_id = Assignment.objects.get(contact_id=second.pk).problem_id
    c = Client()
    assert c.login(username="agent2", password="agent2-pass")
    r = c.post(
        f"/products/{SKU}/pull", {"reason": "print-defect", "note": " ", "problem": problem_id}
    )
    assert r.status_code == 422 and not Andon.objects.exists()
    assert f'<input type="hidden" name="problem" value="{problem_id}">' in r.content.decode()
