"""Console pages a new user found lacking (issue 8, point 14): the andons list a page at a
time with filters and search, overdue work orders marked, phone numbers masked (revealed on
request, with an audit row), and a product page that lists quiet reasons in one line."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.utils import timezone

from andon.contacts.services import contact_record
from andon.core.models import AuditEntry
from andon.orders.rules import mask_phone
from andon.pulls.models import Andon
from andon.workorders.models import WorkOrder
from andon.workorders.rules import is_overdue

from ..world import SKU
from .catalog import OTHER_SKU
from .state import pulled, two_contacts, wo
from .text import readable_text

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)


# -- the andons list -------------------------------------------------------------------------


def _many_andons(world, n: int) -> None:
    """n andons (closed copies of the story's, enough for pages), plus the story's own."""
    pulled(world)
    first = Andon.objects.get()
    Andon.objects.bulk_create(
        Andon(
            product=first.product,
            reason=first.reason,
            state="closed",
            note=f"第{i}次",
            opened_at=first.opened_at - dt.timedelta(days=i + 1),
            closed_at=first.opened_at - dt.timedelta(days=i),
            opened_by=first.opened_by,
        )
        for i in range(n)
    )


def _ids(html: str) -> list[str]:
    return re.findall(r'href="/andons/(\d+)/"', html)


def test_the_andons_list_shows_a_page_at_a_time(shop, login, django_assert_max_num_queries):
    _many_andons(shop, 60)
    c = login("agent1")
    c.get("/andons/")  # the session and roles, once
    # 13: the held counts add the packed lines of pulls' pending scopes (holds.scopes), one
    # query for the page whatever the number of andons.
    with django_assert_max_num_queries(13):
        first = c.get("/andons/").content.decode()
    assert len(_ids(first)) == 25
    assert "1–25 of 61 andons" in unescape(first)
    assert 'rel="next"' in first and 'rel="prev"' not in first
    last = c.get("/andons/?page=3").content.decode()
    assert len(_ids(last)) == 11 and 'rel="prev"' in last
    assert not set(_ids(first)) & set(_ids(last))
    assert len(_ids(c.get("/andons/?page=999").content.decode())) == 11, "the last page"


def test_the_andons_list_filters_by_state_reason_and_product_and_searches(shop, login):
    _many_andons(shop, 30)
    c = login("agent1")
    open_one = Andon.objects.get(state="open")
    assert _ids(c.get("/andons/?state=open").content.decode()) == [str(open_one.pk)]
    assert len(_ids(c.get("/andons/?state=closed").content.decode())) == 25
    assert _ids(c.get("/andons/?reason=wrong-item").content.decode()) == []
    assert len(_ids(c.get(f"/andons/?sku={SKU}&state=closed").content.decode())) == 25
    assert _ids(c.get(f"/andons/?sku={OTHER_SKU}").content.decode()) == []
    # Search: the note, the ANDON id (with or without its prefix), the SKU.
    assert len(_ids(c.get("/andons/?q=第7次").content.decode())) == 1
    assert _ids(c.get(f"/andons/?q=ANDON-{open_one.pk}").content.decode()) == [str(open_one.pk)]
    assert str(open_one.pk) in _ids(c.get(f"/andons/?q={open_one.pk}").content.decode())
    paged = c.get("/andons/?state=closed&page=2").content.decode()
    assert "state=closed" in paged.split('rel="prev"')[0].rsplit("href=", 1)[-1], (
        "the page links keep the filters"
    )
    none = unescape(c.get("/andons/?q=nothing-like-this").content.decode())
    assert "No andon matches these filters." in none


# -- overdue work orders ---------------------------------------------------------------------


def test_a_work_order_is_overdue_past_its_due_time_while_the_department_has_it():
    due = NOW - dt.timedelta(minutes=1)
    for state in ("open", "in_progress", "reopened"):
        assert is_overdue(state, due, NOW)
    for state in ("resolved", "closed"):
        assert not is_overdue(state, due, NOW), "the confirmer has it, or it is done"
    assert not is_overdue("open", NOW + dt.timedelta(hours=1), NOW)


@pytest.mark.parametrize("lang, word", [("en", "overdue"), ("zh-hans", "已超时")])
def test_overdue_work_orders_are_marked_in_the_queue_the_list_and_the_timeline(
    shop, login, lang, word
):
    pulled(shop)
    late = wo("warehouse-logistics")
    WorkOrder.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    mark = f'<span class="badge overdue">{word}</span>'
    queue = login("warehouse1", language=lang).get("/departments/warehouse-logistics/")
    assert mark in queue.content.decode()
    on_time = login("vendor1", language=lang).get("/departments/vendor-management/")
    assert mark not in on_time.content.decode()
    andon = Andon.objects.get()
    for url in ("/andons/", f"/andons/{andon.pk}/"):
        assert login("agent1", language=lang).get(url).content.decode().count(mark) == 1, url


# -- phone numbers ---------------------------------------------------------------------------


def test_a_phone_number_is_masked_to_its_first_three_and_last_four_digits():
    assert mask_phone("13800000001") == "138****0001"
    assert mask_phone("+86 138 0000 0001") == "+86 1** **** 0001", "separators stay"
    assert mask_phone("021-5555-1234") == "021-****-1234"
    assert mask_phone("1234567") == "*****67"
    assert mask_phone("") == ""


def test_pages_show_masked_numbers_and_an_agent_reveals_one_with_an_audit_row(shop, login):
    c = login("agent1")
    for url in ("/agent/?q=cust-a", "/customers/cust-a/"):
        html = c.get(url).content.decode()
        assert "13800000001" not in html and "138****0001" in html, url
    assert not AuditEntry.objects.filter(action="customer.phone_revealed").exists()
    r = c.post("/customers/cust-a/phone", headers={"hx-request": "true"})
    assert r.status_code == 200 and "13800000001" in r.content.decode()
    entry = AuditEntry.objects.get(action="customer.phone_revealed")
    assert (entry.actor.username, entry.subject_type, entry.subject_id) == (
        "agent1",
        "customer",
        "cust-a",
    )
    # Without JavaScript the form posts and the page comes back with the number shown.
    page = c.post("/customers/cust-a/phone").content.decode()
    assert "13800000001" in page
    assert AuditEntry.objects.filter(action="customer.phone_revealed").count() == 2


@pytest.mark.parametrize("user", ["vendor1", "confirmer1", "integrator"])
def test_only_service_people_reveal_a_number_and_a_refusal_writes_nothing(shop, login, user):
    r = login(user).post("/customers/cust-a/phone")
    assert r.status_code == 403 and "13800000001" not in r.content.decode()
    assert not AuditEntry.objects.filter(action="customer.phone_revealed").exists()


def test_a_get_of_the_reveal_address_reveals_nothing(shop, login):
    r = login("agent1").get("/customers/cust-a/phone")
    assert r.status_code == 302 and r["Location"] == "/customers/cust-a/"
    assert not AuditEntry.objects.filter(action="customer.phone_revealed").exists()


# -- the product page ------------------------------------------------------------------------


def _sections(html: str) -> list[str]:
    return re.findall(r'<section class="card[^"]*" id="cord-([\w-]+)"', html)


def test_the_product_page_lists_quiet_reasons_in_one_line_not_a_box_each(shop, login):
    from andon.contacts.models import ReasonCode

    ReasonCode.objects.create(code="late-delivery", label_zh="物流延迟", label_en="Late delivery")
    c = login("agent2")
    html = unescape(c.get(f"/products/{SKU}/").content.decode())
    assert _sections(html) == [], "no reports yet: no boxes"
    assert "disabled" not in html
    quiet = re.search(r'<details class="other-reasons".*?</details>', html, re.S).group(0)
    assert all(label in quiet for label in ("Late delivery", "Wrong item", "Print defect"))

    contact_record(
        actor=shop.users["agent1"], customer="cust-a", order="order-a", line_no=1,
        reason="print-defect", text="100-101页未裁开",
    )  # fmt: skip
    html = unescape(c.get(f"/products/{SKU}/").content.decode())
    assert _sections(html) == ["print-defect"]
    box = html.split('id="cord-print-defect"')[1].split("</section>")[0]
    assert "1 more customer is needed" in box and "button" not in box, "not yet: no button"
    assert "disabled" not in html

    two_contacts(shop)  # the second customer: now the cord is there
    html = unescape(c.get(f"/products/{SKU}/").content.decode())
    box = html.split('id="cord-print-defect"')[1].split("</section>")[0]
    assert 'class="cord"' in box and "disabled" not in box
    quiet = re.search(r'<details class="other-reasons".*?</details>', html, re.S).group(0)
    assert "Print defect" not in quiet and "Late delivery" in quiet


def test_an_open_andon_keeps_its_box_to_join_it(shop, login):
    pulled(shop)
    html = unescape(login("agent1").get(f"/products/{SKU}/").content.decode())
    assert _sections(html) == ["print-defect"]
    assert "Join the open andon" in html


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_quiet_reasons_read_in_both_languages(shop, login, lang):
    html = login("agent1", language=lang).get(f"/products/{SKU}/").content.decode()
    texts = readable_text(html)
    if lang == "zh-hans":
        assert any("天内需有 2 位顾客反馈才能按灯" in t for t in texts), texts
    else:
        assert any("the cord needs 2 customers within 30 days" in t for t in texts), texts


def test_an_agent_cannot_pull_a_reason_nobody_reported(shop, login):
    two_contacts(shop)  # print-defect reported; wrong-item (a reason of the world) is not
    r = login("agent2").post(f"/products/{SKU}/pull", {"reason": "wrong-item", "note": "x"})
    assert r.status_code == 422 and not Andon.objects.exists()
