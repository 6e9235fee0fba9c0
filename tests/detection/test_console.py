"""Detection in the console, in Chromium: the second customer's contact is coded differently
and written in English, the agent reads "this sounds like 「100-101页未裁开」..." in the page's
language with the cord one click away, pulls for the problem from the product page's cord;
a team lead merges two problems; the Problems page ranks alerts by GMV at stake."""

from __future__ import annotations

import pytest

from andon.detection.models import Assignment, Problem, ProblemState
from andon.detection.services import contact_intake
from andon.pulls.models import Andon

from ..web.browser import shot, sign_in
from ..web.catalog import load_catalog

pytestmark = pytest.mark.django_db(transaction=True)


def record(page, search: str, order: str, reason: str, text: str) -> None:
    page.goto("/agent/")
    page.fill("#id_q", search)
    page.press("#id_q", "Enter")
    page.locator("#results a").first.click()
    form = page.locator(f"form.contact-form[data-line='{order}-1']")
    form.locator("select[name=reason]").select_option(reason)
    form.locator("textarea[name=text]").fill(text)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#recorded")


@pytest.mark.parametrize(
    "lang,expect",
    [
        (
            "zh-hans",
            "这听起来像另外 1 位顾客反映过的「100-101页未裁开」"
            "（编码为 印刷/装订缺陷、发错货）：可以按灯。",
        ),
        ("en", "you may pull"),
    ],
)
def test_the_second_customer_coded_differently_is_offered_the_cord(
    live_server, world, browser, model, lang, expect
):
    load_catalog()
    a1 = sign_in(browser, live_server.url, "agent1", lang)
    record(a1, "Alice", "order-a", "print-defect", "100-101页未裁开")
    a1.context.close()

    a2 = sign_in(browser, live_server.url, "agent2", lang)
    record(a2, "Bob", "order-b", "wrong-item", "pages 100 and 101 are stuck together, never cut")
    suggestion = a2.locator("#suggestion")
    assert expect in suggestion.inner_text()
    shot(a2, f"detection-suggestion-{lang}")
    suggestion.locator("a.cord").click()  # one click: the product page, the cord form open
    note = a2.locator(f"#problem-cord-{Problem.objects.get().pk} input[name=note]")
    assert note.input_value() in {"100-101页未裁开", "pages 100 and 101 are stuck together"}
    a2.locator(f"#problem-cord-{Problem.objects.get().pk} button[type=submit]").click()
    a2.locator("#pull-result").wait_for()
    andon = Andon.objects.get()
    assert andon.problem_id == Problem.objects.get().pk and andon.evidence.count() == 2
    a2.context.close()


def test_a_team_lead_merges_two_problems_in_the_console(live_server, world, browser, model):
    load_catalog()
    for customer, order, text in (
        ("cust-a", "order-a", "100-101页未裁开"),
        ("cust-b", "order-b", "封面被压折了，书角也撞坏了"),
    ):
        contact_intake(
            actor=world.users["agent1"],
            customer=customer,
            order=order,
            line_no=1,
            reason="print-defect",
            text=text,
        )
    first, second = Problem.objects.order_by("pk")
    page = sign_in(browser, live_server.url, "lead1", "en")
    page.goto(f"/problems/{second.pk}/")
    page.select_option("#merge-target", str(first.pk))
    page.click("#merge")
    page.wait_for_url(f"**/problems/{first.pk}/*")
    assert Problem.objects.get(pk=second.pk).state == ProblemState.MERGED
    assert set(Assignment.objects.values_list("problem_id", flat=True)) == {first.pk}
    page.goto("/problems/")
    assert page.locator("h1").inner_text() == "Problems"
    page.context.close()
