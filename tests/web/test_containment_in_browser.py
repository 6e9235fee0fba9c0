"""Containment in Chromium, in zh-Hans and en (issue 12): the blast radius in the pull's
result and on the andon page; the proactive-recovery list with a selection, the bulk action and
its progress polled to done; the staged-relist choice at the last confirmation and the watch's
countdown on the product and andon pages. Small worlds, one browser context per person."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from andon.catalog.models import Product
from andon.pulls.models import Andon
from andon.recovery.models import ProactiveJob, ProactiveRecovery
from andon.recovery.proactive import proactive_run

from ..recovery.proactive_world import past_buyers_world
from ..world import SKU
from .browser import shot, sign_in
from .state import resolved, two_contacts, wo

pytestmark = pytest.mark.django_db(transaction=True)
LANGS = ["zh-hans", "en"]


def t(lang: str, text: str, **kw) -> str:
    with translation.override(lang):
        return _(text) % kw if kw else _(text)


@pytest.mark.parametrize("lang", LANGS)
def test_the_blast_radius_in_the_pull_result_and_on_the_andon_page(
    live_server, shop, browser, lang
):
    two_contacts(shop)
    page = sign_in(browser, live_server.url, "agent2", lang)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"/products/{SKU}/")
    cord = page.locator("#cord-print-defect")
    cord.locator("button.cord").click()
    page.fill("#note-print-defect", "100-101页未裁开")
    page.locator("form.cord-form button[type=submit]").click()
    panel = page.locator("#pull-result #blast-radius")
    panel.wait_for()
    text = panel.inner_text()
    assert t(lang, "Blast radius") in text and t(lang, "Stock units held") in text
    assert t(lang, "GMV per day at stake") in text
    andon = Andon.objects.get()
    held = page.locator("#pull-result #blast-stock tbody tr").count()
    assert held >= 1
    shot(page, f"{lang}-pull-blast-radius")
    page.goto(f"/andons/{andon.pk}/")
    on_page = page.locator("#blast-radius")
    assert t(lang, "Stock units held") in on_page.inner_text()
    assert page.locator("#blast-stock tbody tr").count() == held
    assert errors == []
    page.context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_the_proactive_list_a_selection_and_all_pending_with_progress_to_done(
    live_server, world, browser, lang
):
    andon = past_buyers_world(world, buyers=8, contacted=3)  # 5 eligible
    page = sign_in(browser, live_server.url, "confirmer1", lang)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"/andons/{andon.pk}/")
    section = page.locator("#proactive-recovery")
    rows = section.locator("#proactive-buyers tbody tr")
    assert rows.count() == 5
    assert page.locator("#proactive-pending").inner_text() == "5"
    chosen = [rows.nth(i).get_attribute("data-customer") for i in (0, 1)]
    for c in chosen:
        section.locator(f'input[name=customers][value="{c}"]').check()
    section.locator("#proactive-action").select_option("coupon-5")
    shot(page, f"{lang}-proactive-list")
    section.locator("button[name=scope][value=selected]").click()
    page.wait_for_load_state("networkidle")
    job = ProactiveJob.objects.get()
    assert job.total == 2 and job.customers == sorted(chosen)
    progress = page.locator("#proactive-job")
    assert t(lang, "Running: %(reached)s of %(total)s reached.", reached=0, total=2) in (
        progress.inner_text()
    )
    # The worker runs it; the fragment, polled, says so without a reload.
    proactive_run(job_id=job.pk)
    done = t(lang, "Done: %(reached)s of %(total)s reached.", reached=2, total=2)
    expect(page.locator("#proactive-job")).to_contain_text(done, timeout=8_000)
    assert page.locator("#proactive-reached").inner_text() == "2"
    assert page.locator("#proactive-pending").inner_text() == "3"
    shot(page, f"{lang}-proactive-done")
    # The list again: the not-yet-reached first, the reached last, without a checkbox.
    page.locator("#proactive-job a").click()
    page.wait_for_load_state("networkidle")
    rows = page.locator("#proactive-buyers tbody tr")
    assert [rows.nth(i).get_attribute("data-customer") for i in (3, 4)] == [
        *ProactiveRecovery.objects.order_by("given_at", "pk").values_list(
            "customer__external_id", flat=True
        )
    ]
    assert rows.nth(4).locator("input").count() == 0
    assert t(lang, "Reached") in rows.nth(4).inner_text()
    # All pending in one action.
    page.locator("#proactive-action").select_option("coupon-5")
    page.locator("button[name=scope][value=all]").click()
    page.wait_for_load_state("networkidle")
    second = ProactiveJob.objects.order_by("-pk").first()
    assert second is not None and second.total == 3 and second.customers is None
    proactive_run(job_id=second.pk)
    done = t(lang, "Done: %(reached)s of %(total)s reached.", reached=3, total=3)
    expect(page.locator("#proactive-job")).to_contain_text(done, timeout=8_000)
    assert page.locator("#proactive-pending").inner_text() == "0"
    assert ProactiveRecovery.objects.filter(andon_id=andon.pk).count() == 5
    assert errors == []
    page.context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_the_staged_relist_choice_and_the_watch_countdown(live_server, shop, browser, lang):
    from .state import pulled

    andon = pulled(shop).andon
    resolved(shop)
    first, last = wo("vendor-management"), wo("warehouse-logistics")
    page = sign_in(browser, live_server.url, "confirmer1", lang)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/confirm/")
    page.locator(f"#wo-{first.pk} form[action$='/confirm'] button").click()
    page.wait_for_selector(f"#wo-{first.pk} .badge.closed")
    card = page.locator(f"#wo-{last.pk}")
    card.locator(f"input[name=wo{last.pk}-relist][value=staged]").check()
    card.locator(f"input[name=wo{last.pk}-max_units]").fill("30")
    card.locator(f"input[name=wo{last.pk}-watch_days]").fill("7")
    shot(page, f"{lang}-staged-relist-choice")
    card.locator("form[action$='/confirm'] button").click()
    page.wait_for_selector(f"#wo-{last.pk} .badge.closed")
    product = Product.objects.get(sku=SKU)
    assert product.listing_status == "limited" and product.listing_max_units == 30
    said = page.locator(f"#wo-{last.pk}").inner_text()
    assert "30" in said
    for url in (f"/products/{SKU}/", f"/andons/{andon.pk}/"):
        page.goto(url)
        watch = page.locator("#listing-watch")
        text = watch.inner_text()
        assert "30" in text, text
        assert re.search(r"6\s*(days|日|天)|1\s*(week|周)", text), text
        start = {"zh-hans": "分阶段重新上架：", "en": "Staged relist: at most 30"}[lang]
        assert text.startswith(start), text
    shot(page, f"{lang}-watch-countdown")
    assert errors == []
    page.context.close()
