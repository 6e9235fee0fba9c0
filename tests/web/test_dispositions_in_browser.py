"""Held goods in Chromium, both languages: a department must choose what happens to them
(nothing preselected), the confirmer sees every hold's disposition per department and the most
cautious plan before confirming, and a relist that leaves nothing on hand says so."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from andon.holds.models import Hold
from andon.holds.rules import Disposition
from andon.pulls.relist import work_order_act
from andon.workorders.models import WorkOrder
from andon.workorders.rules import Action
from andon.workorders.services import Step

from .browser import sign_in
from .state import pulled, wo

pytestmark = pytest.mark.django_db(transaction=True)


def t(lang: str, text: str) -> str:
    with translation.override(lang):
        return _(text)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_dispositions_are_chosen_shown_to_the_confirmer_and_an_empty_relist_is_said(
    live_server, shop, browser, lang
):
    andon = pulled(shop).andon
    vendor, warehouse = wo("vendor-management"), wo("warehouse-logistics")
    batch_b2 = list(Hold.objects.filter(andon=andon, stock_level__batch__code="B2"))
    assert batch_b2
    # The vendor department resolved already: B1 back to the printer, B2 released.
    users = shop.users
    work_order_act(actor=users["vendor1"], work_order_id=vendor.pk, step=Step(Action.START))
    work_order_act(
        actor=users["vendor1"],
        work_order_id=vendor.pk,
        step=Step(
            Action.RESOLVE,
            findings="B1批次裁切故障，退回印厂",
            disposition=Disposition.RETURN_TO_VENDOR,
            hold_dispositions={h.pk: Disposition.RELEASE for h in batch_b2},
        ),
    )

    # The warehouse works its card: nothing preselected; saving without a choice is refused.
    w = sign_in(browser, live_server.url, "warehouse1", lang)
    card = w.locator(f"#wo-{warehouse.pk}")
    card.locator("form[action$='/start'] button").click()
    w.wait_for_selector(f"#wo-{warehouse.pk} .badge.in_progress")
    select = card.locator(f"select[name=wo{warehouse.pk}-disposition]")
    assert select.input_value() == ""
    card.locator("textarea").fill("开箱检验：全部受潮，报废")
    card.locator("form.resolve-form button[type=submit]").click()
    card.locator("p.error").wait_for()
    refusal = t(
        lang,
        "Goods are held: say what happens to them (release, fix, return to vendor or scrap), "
        "for all of them and per hold where different. Nothing is released by default.",
    )
    assert card.locator("p.error").inner_text() == refusal
    assert WorkOrder.objects.get(pk=warehouse.pk).state == "in_progress"
    assert card.locator("textarea").input_value() == "开箱检验：全部受潮，报废"
    card.locator(f"select[name=wo{warehouse.pk}-disposition]").select_option("scrap")
    card.locator("form.resolve-form button[type=submit]").click()
    w.wait_for_selector(f"#wo-{warehouse.pk} .badge.resolved")
    w.context.close()

    # The confirmer sees, per hold, what each department said and what will happen.
    c = sign_in(browser, live_server.url, "confirmer1", lang)
    card = c.locator(f"#wo-{vendor.pk}")
    plan = card.locator(".disposition-plan")
    headers = plan.locator("thead th").all_inner_texts()
    assert any("供应商" in h or "Vendor" in h for h in headers)
    assert any("仓储" in h or "Warehouse" in h for h in headers)
    with translation.override(lang):
        release, scrap, rtv = (capfirst(_(w)) for w in ("release", "scrap", "return to vendor"))
    b2 = plan.locator(f"tr[data-hold='{batch_b2[0].pk}']").inner_text()
    assert release in b2 and scrap in b2 and t(lang, "(this hold)") in b2
    assert plan.locator(f"tr[data-hold='{batch_b2[0].pk}'] td.plan").inner_text() == scrap
    b1 = Hold.objects.filter(andon=andon, stock_level__batch__code="B1").first()
    assert rtv in plan.locator(f"tr[data-hold='{b1.pk}']").inner_text()
    assert plan.locator(f"tr[data-hold='{b1.pk}'] td.plan").inner_text() == scrap
    assert scrap in plan.locator(".plan-summary").inner_text()

    for w_ in (vendor, warehouse):
        c.locator(f"#wo-{w_.pk} form[action$='/confirm'] button").click()
        c.wait_for_selector(f"#wo-{w_.pk} .badge.closed")
    last = c.locator(f"#wo-{warehouse.pk} .on-hand").inner_text()
    assert last == t(
        lang,
        "Relisted with 0 units on hand: all held stock was returned to the vendor or scrapped. "
        "It sells again when new stock arrives.",
    )
    c.goto(f"/andons/{andon.pk}/")
    assert t(lang, "0 units on hand: all held stock was returned to the vendor or scrapped.") in (
        c.locator(".timeline").inner_text()
    )
    c.context.close()
