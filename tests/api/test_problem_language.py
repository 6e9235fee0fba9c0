"""A domain refusal speaks the client's language: Accept-Language picks it, zh-hans by
default; `code` and `field` stay the same in every language."""

from __future__ import annotations

import re

import pytest

from andon.pulls.services import andon_pull

from ..pulls.conftest import seed_product
from ..world import SKU

pytestmark = pytest.mark.django_db
HAN = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture
def vendor_wo(world) -> int:
    seed_product(agent=world.users["agent1"])
    result = andon_pull(actor=world.users["agent1"], sku=SKU, reason="print-defect", note="x")
    return next(w.pk for w in result.work_orders if w.department.code == "vendor-management")


def _confirm_too_early(api, wo: int, language: str | None) -> dict:
    r = api.call(
        "POST", f"/work-orders/{wo}/confirm", "confirmer1", HTTP_ACCEPT_LANGUAGE=language or ""
    )
    assert r.status_code == 409
    body = r.json()
    assert (body["code"], body["field"], body["state"]) == ("illegal-transition", "state", "open")
    return body


def test_a_refusal_is_in_english_when_the_client_asks_for_it(api, vendor_wo):
    body = _confirm_too_early(api, vendor_wo, "en")
    assert body["title"] == "This step is not possible in the work order's state"
    assert body["detail"] == (
        "This work order is “open”: “confirm” is not possible now; possible: “start”."
    )


@pytest.mark.parametrize("language", ["zh-CN,zh;q=0.9", "zh-hans", None])
def test_a_refusal_is_in_chinese_when_asked_and_by_default(api, vendor_wo, language):
    body = _confirm_too_early(api, vendor_wo, language)
    assert body["title"] == "工单当前状态下无法执行此步骤"
    assert HAN.search(body["detail"]) and "开始处理" in body["detail"]
    assert not re.search(r"[A-Za-z]{2,}", body["detail"])


def test_an_unknown_sku_is_named_in_either_language(api, vendor_wo):
    for language, words in [("en", "No product with SKU"), ("zh-hans", "没有 SKU 为")]:
        r = api.call("GET", "/products/NOPE-1", "agent1", HTTP_ACCEPT_LANGUAGE=language)
        assert r.status_code == 404 and r.json()["field"] == "sku"
        assert words in r.json()["detail"] and "NOPE-1" in r.json()["detail"]
