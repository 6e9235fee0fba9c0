"""The console's staged relist: the choice at the confirmation, and the watch's countdown on
the product and andon pages, in both languages."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from andon.catalog.models import Product

from .story import SKU, catalog_load, pull
from .test_staged_relist import MEMBERS

pytestmark = pytest.mark.django_db


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html)))


def resolved(api) -> dict:
    catalog_load(api)
    andon = pull(api)
    for wo in andon["work_orders"]:
        who = MEMBERS[wo["department"]]
        api.call("POST", f"/work-orders/{wo['id']}/start", who)
        r = api.call(
            "POST",
            f"/work-orders/{wo['id']}/resolve",
            who,
            {"findings": "已检验", "disposition": "release"},
        )
        assert r.status_code == 200, r.content
    return andon


def confirm(client: Client, wo: int, **fields):
    data = {f"wo{wo}-{k}": v for k, v in fields.items()}
    return client.post(
        reverse("web:work_order_step", args=[wo, "confirm"]), data, headers={"hx-request": "true"}
    )


def test_the_confirmer_relists_in_stages_and_the_pages_count_down(api):
    andon = resolved(api)
    client = Client(headers={"accept-language": "en"})
    assert client.login(username="confirmer1", password="confirmer1-pass")
    first, last = (w["id"] for w in andon["work_orders"])
    queue = client.get(reverse("web:confirm_queue")).content.decode()
    assert f'name="wo{first}-relist"' in queue
    assert confirm(client, first).status_code == 200
    # Staged without a cap: refused, saying which field, nothing relisted.
    r = confirm(client, last, relist="staged", watch_days=7)
    assert r.status_code == 422
    assert "cap" in text(r.content.decode())
    assert Product.objects.get(sku=SKU).listing_status == "suppressed"
    r = confirm(client, last, relist="staged", max_units=30, watch_days=7)
    assert r.status_code == 200, r.content
    assert "relisted in stages: at most 30 units until" in text(r.content.decode())
    assert Product.objects.get(sku=SKU).listing_status == "limited"
    page = text(client.get(reverse("web:product", args=[SKU])).content.decode())
    assert "Staged relist: at most 30 units until" in page
    assert "the watch ends in 6 days" in page or "the watch ends in 1 week" in page
    zh = Client(headers={"accept-language": "zh-hans"})
    assert zh.login(username="confirmer1", password="confirmer1-pass")
    page = text(zh.get(reverse("web:andon", args=[andon["id"]])).content.decode())
    assert "分阶段重新上架：" in page, page[:2000]
