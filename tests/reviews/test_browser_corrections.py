"""In Chromium, both languages: a refused review shows again exactly what was sent (the
defect: "valid" came back selected and saving it paid a bonus), and a verdict is corrected from
the andon's page with the bonus following on the agent's statement as a correction line."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from andon.incentives.models import BonusCredit
from andon.reviews.models import PullReview, VerdictCorrection
from andon.reviews.services import andon_review

from ..web.browser import sign_in
from .factories import pull


def t(lang: str, text: str) -> str:
    with translation.override(lang):
        return _(text)


def submit(page, row) -> None:
    """Save the row's form and wait until its answer has replaced it.

    Waiting for the response alone is not enough: HTMX swaps a moment later, and a step taken
    in between acts on the old form, which the swap then throws away (a flaky CI run did just
    that: the root cause was chosen on the old form and the new one was saved without it)."""
    sent = row.locator("form").element_handle()
    with page.expect_response(lambda r: "/reviews/andons/" in r.url):
        row.locator("button[type=submit]").click()
    page.wait_for_function("form => !form.isConnected", arg=sent)


def checked(row) -> list[str]:
    return [r.get_attribute("value") for r in row.get_by_role("radio").all() if r.is_checked()]


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_a_refused_review_is_shown_again_as_sent_and_never_turns_valid(
    live_server, world, browser, lang
):
    andon = pull(world, "agent1")
    page = sign_in(browser, live_server.url, "lead1", lang)
    page.goto("/reviews/")
    row = page.locator(f"#andon-{andon.pk}")
    assert checked(row) == [], "no verdict is preselected"
    # Saved with no verdict at all: refused, nothing chosen for the lead.
    submit(page, row)
    assert t(lang, "The verdict is “valid” or “invalid”.") in row.inner_text()
    assert checked(row) == []
    # Invalid without a root cause: refused, and the form comes back as it was sent.
    row.locator("input[value=invalid]").check()
    row.locator("input[name=action]").fill("按灯规则培训")
    submit(page, row)
    row.get_by_text(t(lang, "An invalid pull needs a root cause.")).wait_for()
    assert checked(row) == ["invalid"]
    assert row.locator("input[name=action]").input_value() == "按灯规则培训"
    assert row.locator("select[name=root_cause]").get_attribute("aria-invalid") == "true"
    assert not PullReview.objects.exists() and not BonusCredit.objects.exists()
    # Saving the re-shown form as it stands is refused again: it never becomes valid.
    submit(page, row)
    row.get_by_text(t(lang, "An invalid pull needs a root cause.")).wait_for()
    assert not PullReview.objects.exists() and not BonusCredit.objects.exists()
    row.locator("select[name=root_cause]").select_option("training")
    submit(page, row)
    row.locator("p.ok").wait_for()
    review = PullReview.objects.get()
    assert (review.verdict, review.root_cause) == ("invalid", "training")
    assert not BonusCredit.objects.exists()
    page.context.close()


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_a_verdict_is_corrected_and_the_statement_shows_a_correction_line(
    live_server, world, browser, lang
):
    andon = pull(world, "agent1")
    andon_review(
        actor=world.users["lead1"],
        andon_id=andon.pk,
        verdict="invalid",
        root_cause="training",
        action="按灯规则培训",
    )
    page = sign_in(browser, live_server.url, "lead1", lang)
    page.goto(f"/andons/{andon.pk}/")
    page.locator("#andon-review").get_by_role("link").click()
    page.wait_for_load_state("networkidle")
    form = page.locator("form.correction-form")
    assert checked(form) == [], "no verdict is preselected"
    form.locator("input[value=valid]").check()
    form.locator("button[type=submit]").click()
    page.get_by_text(t(lang, "Say why the verdict is corrected.")).wait_for()
    assert checked(form) == ["valid"]
    assert not VerdictCorrection.objects.exists() and not BonusCredit.objects.exists()
    form.locator("textarea[name=reason]").fill("复核：两位客户确有同一问题")
    form.locator("button[type=submit]").click()
    page.locator("ul.messages").wait_for()
    with translation.override(lang):
        valid = _("valid")
    assert t(lang, "Verdict corrected to “%(verdict)s”.") % {"verdict": valid} in (
        page.locator("ul.messages").inner_text()
    )
    assert page.locator("#corrections tbody tr").count() == 1
    assert page.locator("#pull-ledger tbody tr").count() == 1
    # Back to invalid: the bonus is taken back by a correction line.
    form = page.locator("form.correction-form")
    assert checked(form) == []
    form.locator("input[value=invalid]").check()
    form.locator("select[name=root_cause]").select_option("person")
    form.locator("input[name=action]").fill("一对一辅导")
    form.locator("textarea[name=reason]").fill("同一客户换号重复投诉")
    form.locator("button[type=submit]").click()
    page.locator("ul.messages").wait_for()
    assert page.locator("#corrections tbody tr").count() == 2
    assert page.locator("#pull-ledger tbody tr").count() == 2
    assert list(BonusCredit.objects.order_by("sequence").values_list("kind", flat=True)) == [
        "credit",
        "reversal",
    ]
    page.context.close()

    agent = sign_in(browser, live_server.url, "agent1", lang)
    agent.goto("/bonuses/statement/")
    correction = agent.locator("#statement tr.correction")
    assert correction.count() == 1
    assert "−" in correction.locator("td.num").inner_text()
    head = t(
        lang,
        "Correction: the verdict was corrected to invalid; takes back the bonus credited on "
        "%(when)s",
    )
    assert head.split("%(when)s")[0].strip() in correction.inner_text()
    total = agent.locator("#statement-total").inner_text()
    assert total.endswith("0.00") and "−" not in total
    agent.context.close()
