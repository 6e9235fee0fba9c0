"""What the eye sees in Chromium (issue 8, point 14): pills, ids, amounts and moments stay on
one line on a tablet, the password field looks like the other fields, and a masked phone
number is revealed by one click (and audited)."""

from __future__ import annotations

import pytest

from andon.core.models import AuditEntry
from andon.reviews.services import andon_review

from ..world import SKU
from .browser import shot, sign_in
from .state import pulled, resolved

pytestmark = pytest.mark.django_db(transaction=True)
TABLET = {"width": 820, "height": 1180}

# For each token that must read as one piece: how many line boxes it takes, and its height
# against one line of its own font.
BROKEN = """
() => [...document.querySelectorAll('.badge, .id, .money, time')]
  .filter(el => el.offsetParent !== null)
  .map(el => {
    const style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.45;
    const r = el.getBoundingClientRect();
    return {text: el.textContent.trim(), rects: el.getClientRects().length,
            tall: r.height > line * 1.6 + parseFloat(style.paddingTop) * 2 + 2};
  })
  .filter(x => x.rects > 1 || x.tall)
"""


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_pills_ids_amounts_and_moments_never_break_across_lines(live_server, shop, browser, lang):
    andon = pulled(shop).andon
    resolved(shop)
    andon_review(actor=shop.users["lead2"], andon_id=andon.pk, verdict="valid")
    pages = [
        ("agent1", "/andons/"),
        ("agent1", f"/andons/{andon.pk}/"),
        ("agent1", f"/products/{SKU}/"),
        ("agent1", "/customers/cust-c/"),
        ("lead2", "/bonuses/statement/?agent=agent2"),
        ("lead2", "/reviews/monday/"),
        ("confirmer1", "/confirm/"),
    ]
    people = {}
    for user, url in pages:
        if user not in people:
            people[user] = sign_in(browser, live_server.url, user, lang, viewport=TABLET)
        page = people[user]
        page.goto(url)
        page.wait_for_load_state("networkidle")
        broken = page.evaluate(BROKEN)
        assert not broken, (url, broken)
        assert page.locator(".badge, .id, .money, time").count() > 0, url
    shot(people["agent1"].context.pages[0], f"{lang}-tablet-andons-list")
    for page in people.values():
        page.context.close()


def test_the_password_field_looks_like_the_user_name_field(live_server, shop, browser):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.goto("/accounts/login/")
    look = (
        "el => { const s = getComputedStyle(el); return [s.borderTopWidth, s.borderTopStyle, "
        "s.borderTopColor, s.borderRadius, s.paddingLeft, s.fontSize, "
        "Math.round(el.getBoundingClientRect().width)]; }"
    )
    user, password = (
        page.eval_on_selector("#id_username", look),
        page.eval_on_selector("#id_password", look),
    )
    assert user == password, (user, password)
    assert password[1] == "solid" and password[3] != "0px", "styled, not the browser's default"
    context.close()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_an_agent_reveals_a_masked_number_with_one_click(live_server, shop, browser, lang):
    page = sign_in(browser, live_server.url, "agent1", lang)
    page.goto("/customers/cust-a/")
    phone = page.locator("#phone")
    assert "138****0001" in phone.inner_text() and "13800000001" not in page.content()
    phone.locator("button").click()
    page.wait_for_function("document.querySelector('#phone').textContent.includes('13800000001')")
    assert page.locator("#phone button").count() == 0
    entry = AuditEntry.objects.get(action="customer.phone_revealed")
    assert entry.actor.username == "agent1" and entry.subject_id == "cust-a"
    page.context.close()
