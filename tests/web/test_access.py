"""Every console form is CSRF-protected and role-checked; each role lands on its own home."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib.auth.models import User

from andon.catalog.models import Product
from andon.contacts.models import Contact
from andon.pulls.models import Andon

from ..world import SKU
from .state import pulled, resolved, two_contacts, wo

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "username, home",
    [
        ("agent1", "/agent/"),
        ("lead1", "/team/"),
        ("confirmer1", "/confirm/"),
        ("vendor1", "/departments/vendor-management/"),
        ("warehouse1", "/departments/warehouse-logistics/"),
    ],
)
def test_each_role_lands_on_its_own_home(shop, login, username, home):
    r = login(username).get("/")
    assert r.status_code == 302 and r["Location"] == home
    assert login(username).get(home).status_code == 200


def test_an_admin_lands_on_the_overview(shop, client):
    User.objects.create_superuser("root", password="root-pass")
    client.login(username="root", password="root-pass")
    r = client.get("/")
    assert r.status_code == 200 and b"/admin/" in r.content


def test_anonymous_people_are_sent_to_sign_in(shop, client):
    for url in [
        "/",
        "/agent/",
        f"/products/{SKU}/",
        "/confirm/",
        "/andons/",
        "/departments/vendor-management/",
        "/customers/cust-a/",
    ]:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/"), url


def _forms(world) -> list[tuple[str, str, dict]]:
    """(user, url, data) of every console form, each valid for its user."""
    pulled(world)
    resolved(world)
    v = wo("vendor-management")
    return [
        (
            "agent1",
            "/customers/cust-c/contacts",
            {"order": "order-c", "line_no": 1, "reason": "print-defect", "channel": "phone"},
        ),
        ("agent1", f"/products/{SKU}/pull", {"reason": "print-defect", "note": "x"}),
        ("confirmer1", f"/work-orders/{v.pk}/confirm", {}),
        ("confirmer1", f"/work-orders/{v.pk}/reopen", {f"wo{v.pk}-reason": "why"}),
        ("agent1", "/i18n/setlang/", {"language": "en"}),
        ("agent1", "/accounts/logout/", {}),
    ]


def test_every_form_refuses_a_post_without_the_csrf_token(shop, login):
    for user, url, data in _forms(shop):
        r = login(user, csrf=True).post(url, data)
        assert r.status_code == 403, url


def test_a_form_with_the_csrf_token_is_accepted(shop, login):
    two_contacts(shop)
    c = login("agent2", csrf=True)
    page = c.get(f"/products/{SKU}/")
    token = page.cookies["csrftoken"].value
    r = c.post(
        f"/products/{SKU}/pull",
        {"reason": "print-defect", "note": "一行", "csrfmiddlewaretoken": token},
    )
    assert r.status_code == 200 and Andon.objects.count() == 1


def test_a_department_member_cannot_start_or_resolve_another_departments_work_order(shop, login):
    pulled(shop)
    other = wo("warehouse-logistics")
    vendor = login("vendor1")
    assert vendor.get("/departments/warehouse-logistics/").status_code == 403
    r = vendor.post(f"/work-orders/{other.pk}/start")
    assert r.status_code == 403
    # The refusal names the department whose members may act (the domain words it).
    assert (
        "Only members of this work order's department (Warehouse & logistics) act on it."
        in unescape(r.content.decode())
    )
    r = vendor.post(
        f"/work-orders/{other.pk}/resolve",
        {f"wo{other.pk}-findings": "x", f"wo{other.pk}-disposition": "scrap"},
    )
    assert r.status_code == 403
    other.refresh_from_db()
    assert other.state == "open" and other.findings == ""


def test_an_agent_cannot_confirm_or_reopen(shop, login):
    pulled(shop)
    resolved(shop)
    v = wo("vendor-management")
    agent = login("agent1")
    assert agent.get("/confirm/").status_code == 403
    assert agent.post(f"/work-orders/{v.pk}/confirm").status_code == 403
    assert agent.post(f"/work-orders/{v.pk}/reopen", {f"wo{v.pk}-reason": "x"}).status_code == 403
    v.refresh_from_db()
    assert v.state == "resolved"
    assert Product.objects.get(sku=SKU).listing_status == "suppressed"


def test_only_service_people_pull_and_record_contacts(shop, login):
    two_contacts(shop)
    for user in ["confirmer1", "vendor1", "integrator"]:
        c = login(user)
        assert (
            c.post(f"/products/{SKU}/pull", {"reason": "print-defect", "note": "x"}).status_code
            == 403
        )
        assert (
            c.post(
                "/customers/cust-c/contacts",
                {
                    "order": "order-c",
                    "line_no": 1,
                    "reason": "print-defect",
                    "channel": "phone",
                },
            ).status_code
            == 403
        )
    assert not Andon.objects.exists() and Contact.objects.count() == 2


def test_a_confirmer_cannot_work_a_department_queue(shop, login):
    pulled(shop)
    c = login("confirmer1")
    assert c.get("/departments/vendor-management/").status_code == 403
    assert c.post(f"/work-orders/{wo('vendor-management').pk}/start").status_code == 403


def test_a_pull_before_the_threshold_is_refused_in_words_and_the_contact_is_kept(shop, login):
    c = login("agent1")
    r = c.post(
        "/customers/cust-a/contacts",
        {
            "order": "order-a",
            "line_no": 1,
            "reason": "print-defect",
            "text": "书页未裁开",
            "channel": "phone",
        },
    )
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert "1 more customer is needed (1 of 2 so far)" in page
    r = c.post(f"/products/{SKU}/pull", {"reason": "print-defect", "note": "x"})
    assert r.status_code == 422
    assert "1 more customer is needed" in r.content.decode()
    assert not Andon.objects.exists() and Contact.objects.count() == 1


@pytest.mark.parametrize("lang, sign_in", [("zh-hans", "登录"), ("en", "Sign in")])
def test_signing_out_leads_back_to_the_consoles_sign_in_page(shop, login, lang, sign_in):
    c = login("agent1", language=lang)
    html = c.get("/agent/").content.decode()
    form = re.search(r'<form action="/accounts/logout/" method="post">(.*?)</form>', html, re.S)
    data = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(1)))
    r = c.post("/accounts/logout/", data, follow=True)
    assert r.redirect_chain[-1][0] == "/accounts/login/", "not Django admin's logged-out page"
    page = r.content.decode()
    assert 'id="id_username"' in page and f"<h1>{sign_in}</h1>" in page
    assert c.get("/agent/").status_code == 302, "signed out"
