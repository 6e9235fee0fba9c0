"""What a new user reads (issue 8, point 14), in both languages: the timeline in sentences,
labels and not stored codes, plurals, holds in units and rows, "all warehouses", one way to
write moments and money, full-width colons in Chinese, the team lead's page, the bonus page.
(That every audit action has a sentence: test_timeline_sentences.py.)"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import gettext as _

from andon.contacts.services import contact_record
from andon.pulls.models import Andon
from andon.pulls.relist import work_order_act
from andon.pulls.services import andon_pull
from andon.reviews.services import andon_review
from andon.workorders.rules import Action
from andon.workorders.services import Step

from ..world import SKU
from .state import pulled, resolved, two_contacts, wo
from .text import readable_text

pytestmark = pytest.mark.django_db
LANGS = ["zh-hans", "en"]


def t(lang: str, text: str) -> str:
    with translation.override(lang):
        return _(text)


def closed_and_reviewed(world) -> Andon:
    """The story to its end: pulled, worked, confirmed (relisted), reviewed valid (bonus)."""
    andon = pulled(world).andon
    resolved(world)
    for dept in ("vendor-management", "warehouse-logistics"):
        work_order_act(
            actor=world.users["confirmer1"], work_order_id=wo(dept).pk, step=Step(Action.CONFIRM)
        )
    # agent2 (team-2) pulled: lead2 answers for it and reviews it.
    andon_review(actor=world.users["lead2"], andon_id=andon.pk, verdict="valid")
    return andon


def _text(html: str) -> str:
    return " ".join(readable_text(html))


@pytest.mark.parametrize("lang", LANGS)
def test_the_timeline_tells_every_step_in_words_not_codes(shop, login, lang):
    andon = closed_and_reviewed(shop)
    html = login("lead2", language=lang).get(f"/andons/{andon.pk}/").content.decode()
    text = unescape(_text(html))
    codes = re.findall(r"\b[a-z_]+\.[a-z_]+\b", text)
    assert not codes, codes
    for code in ("bonus.credited", "andon.reviewed", "holds.finalized", "pull.credited"):
        assert code not in unescape(html), code
    everything = " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())
    with translation.override(lang):
        assert _("%(who)s reviewed the pull: valid.") % {"who": "lead2"} in everything
    assert "50.00" in everything, "the bonus amount"


@pytest.mark.parametrize("lang", LANGS)
def test_a_closed_andon_says_what_became_of_its_holds_in_units_and_rows(shop, login, lang):
    andon = closed_and_reviewed(shop)
    html = unescape(login("agent1", language=lang).get(f"/andons/{andon.pk}/").content.decode())
    summary = re.search(r'<p id="holds-in-words">(.*?)</p>', html, re.S).group(1)
    with translation.override(lang):
        released = _("released").capitalize() if lang == "en" else _("released")
        held = _("held")
    assert summary.startswith(released), summary
    assert held not in summary.replace(released, ""), summary
    # 300 units in 4 batch-in-warehouse rows; 2 packed lines holding 3 units (order-d has 2).
    assert "300" in summary and "4" in summary and "3" in summary, summary
    if lang == "en":
        assert "300 units of stock (4 batches in warehouses)" in summary
        assert "2 packed order lines (3 units)" in summary


@pytest.mark.parametrize("lang", LANGS)
def test_the_pull_result_says_all_warehouses_not_every_warehouse(shop, login, lang):
    two_contacts(shop)
    r = login("agent2", language=lang).post(
        f"/products/{SKU}/pull", {"reason": "print-defect", "note": "一行"}
    )
    text = _text(r.content.decode())
    assert "every warehouse" not in text
    if lang == "en":
        assert "300 units of stock are held, across all warehouses." in text
    else:
        assert "所有仓库共 300 件库存已被扣留" in text


@pytest.mark.parametrize("lang", LANGS)
def test_counts_of_one_read_in_the_singular(shop, login, lang):
    """A safety reason pulls on one customer: "1 customer reported it", not "1 customers"."""
    from andon.contacts.models import ReasonCode, ReasonRoute
    from andon.people.models import Department

    reason = ReasonCode.objects.create(
        code="safety", label_zh="安全隐患", label_en="Safety hazard", threshold=1, window_days=30
    )
    ReasonRoute.objects.create(
        reason=reason,
        department=Department.objects.get(code="vendor-management"),
        sla_hours=4,
        instruction_zh="检查",
        instruction_en="Inspect",
    )
    contact_record(
        actor=shop.users["agent1"],
        customer="cust-a",
        order="order-a",
        line_no=1,
        reason="safety",
        text="边缘锋利",
    )
    andon = andon_pull(actor=shop.users["agent1"], sku=SKU, reason="safety", note="边缘锋利").andon
    c = login("agent1", language=lang)
    pages = [f"/andons/{andon.pk}/", f"/products/{SKU}/", "/andons/", "/customers/cust-a/"]
    for url in pages:
        text = _text(c.get(url).content.decode())
        plural_after_one = re.findall(
            r"\b1 (customers|contacts|units|andons|lines|batches|holds|reasons)\b", text
        )
        assert not plural_after_one, (url, plural_after_one)
    if lang == "en":
        assert "(1 customer reported it)" in _text(c.get(f"/andons/{andon.pk}/").content.decode())


def _pages(world) -> list[tuple[str, str]]:
    andon = closed_and_reviewed(world)
    return [
        ("agent1", "/agent/?q=cust"),
        ("agent1", "/customers/cust-a/"),
        ("agent1", f"/products/{SKU}/"),
        ("agent1", "/andons/"),
        ("agent1", f"/andons/{andon.pk}/"),
        ("lead2", "/team/"),
        ("lead2", "/reviews/"),
        ("lead2", "/reviews/kpis/"),
        ("lead2", "/reviews/monday/"),
        ("lead2", "/reviews/actions/?state=all"),
        ("lead2", "/bonuses/statement/?agent=agent2"),
        ("vendor1", "/departments/vendor-management/?closed=1"),
        ("confirmer1", "/confirm/"),
        ("agent1", "/agent/"),
        ("agent1", f"/recovery/contacts/{andon.evidence.order_by('id').first().pk}/"),
        ("lead2", f"/reviews/andons/{andon.pk}/correct/"),
        ("lead2", "/reviews/kpis/drill/?by=team_lead&key=lead2&period=week"),
        ("lead2", "/problems/"),
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_moments_and_money_are_written_one_way_everywhere(shop, login, lang):
    for user, url in _pages(shop):
        html = unescape(login(user, language=lang).get(url).content.decode())
        assert not re.search(r"\b(a\.m\.|p\.m\.|midnight|noon)\b", html), url
        assert not re.search(r"\d{4}年\d{1,2}月\d{1,2}日", html), url
        assert not re.search(r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\.? \d", html), url
        for shown in re.findall(r"<time [^>]*>([^<]*)</time>", html):
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?", shown), (url, shown)
        # Money carries its symbol, inside one unbreakable span; never "50 CNY" or "50.00 CNY"
        # (but the recovery catalogue's labels, "5 CNY coupon", are an admin's words).
        if not url.startswith("/recovery/"):
            assert not re.search(r"\d CNY\b", html), url
        for amount in re.findall(r"(?:CN)?¥[\d,.]+", html):
            assert f'translate="no">{amount}</span>' in html, (url, amount)
        assert "Asia/Shanghai" in html, f"{url}: the footer names the time zone"


def test_chinese_pages_use_full_width_colons(shop, login):
    for user, url in _pages(shop):
        texts = readable_text(login(user, language="zh-hans").get(url).content.decode())
        # An ASCII colon is fine between digits (21:29) and nowhere else in Chinese text.
        ascii_colons = [x for x in texts if re.search(r"(?<!\d):|:(?!\d)", x)]
        assert not ascii_colons, (url, ascii_colons)


def test_status_labels_read_as_labels_in_english(shop, login):
    """Pills and labels are capitalised words ("In progress", "Held", "Release"), not the
    stored lower-case values."""
    pulled(shop)
    v = wo("vendor-management")
    work_order_act(actor=shop.users["vendor1"], work_order_id=v.pk, step=Step(Action.START))
    pages = [
        ("agent1", "/andons/"),
        ("agent1", f"/andons/{Andon.objects.get().pk}/"),
        ("vendor1", "/departments/vendor-management/"),
        ("agent1", "/customers/cust-c/"),
        ("agent1", f"/products/{SKU}/"),
    ]
    seen = set()
    for user, url in pages:
        html = unescape(login(user).get(url).content.decode())
        pills = re.findall(r'<span (?:id="[^"]*" )?class="badge [^"]*">([^<]+)</span>', html)
        assert pills, url
        for label in pills:
            assert label[0].isupper(), (url, label)
            seen.add(label)
        options = re.findall(
            r'<option value="(?:release|fix|scrap|return-to-vendor)"[^>]*>([^<]+)<', html
        )
        assert all(o[0].isupper() for o in options), (url, options)
    assert {"In progress", "Held", "Open"} <= seen, seen


@pytest.mark.parametrize("lang", LANGS)
def test_the_team_leads_page_points_to_the_reviews_that_exist(shop, login, lang):
    pulled(shop)
    html = unescape(login("lead2", language=lang).get("/team/").content.decode())
    assert "comes with the review feature" not in html
    assert 'href="/reviews/"' in html
    assert "ANDON-" in html


@pytest.mark.parametrize("lang", LANGS)
def test_a_leads_bonus_page_names_in_its_heading_the_person_its_list_has_chosen(shop, login, lang):
    html = unescape(login("lead1", language=lang).get("/bonuses/statement/").content.decode())
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    chosen = re.search(r'<option value="([^"]+)" selected', html).group(1)
    assert chosen == "lead1" and "lead1" in heading
    html = unescape(
        login("lead1", language=lang).get("/bonuses/statement/?agent=agent2").content.decode()
    )
    assert re.search(r'<option value="([^"]+)" selected', html).group(1) == "agent2"
    assert "agent2" in re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)


def test_an_agent_still_reads_only_their_own_bonus_statement(shop, login):
    assert login("agent1").get("/bonuses/statement/?agent=agent2").status_code == 403
    assert User.objects.filter(username="agent2").exists()


def test_templates_write_moments_days_and_money_only_through_the_consoles_filters():
    """One place decides how a moment, a day or an amount reads (andon/web/formatting.py, as
    the |when, |day, |cny and |money filters): a template formats none itself, except a
    machine's value in a link or a form field."""
    root = Path(__file__).resolve().parents[2] / "andon"
    own = re.compile(r"\|(date|time|naturaltime|naturalday|floatformat|intcomma)\b")
    offenders = []
    for path in sorted(root.rglob("templates/**/*.html")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            # A value for machines: ?week=2026-11-10 in a link, value="…" in a form field.
            for_machines = re.sub(r'(href|value)="[^"]*"', "", line)
            # Scores of the detection model (0.91) are numbers, not amounts.
            for_people = re.sub(r"(similarity|score)\|floatformat:\d", "", for_machines)
            if own.search(for_people):
                offenders.append(f"{path.relative_to(root)}:{n}")
    assert not offenders, offenders
