"""The story with detection: the second customer describes the same defect in other words and
another language, and the agent codes it differently; the cord is still offered, the pull is
for the problem, and its evidence is the problem's contacts."""

from __future__ import annotations

import pytest

from andon.detection.models import Assignment
from andon.pulls.models import Andon

from ..world import SKU

pytestmark = pytest.mark.django_db


def test_second_customer_coded_differently_is_offered_the_cord(api, catalogue, model):
    product = catalogue.product(SKU)
    first = catalogue.report(product, "100-101页未裁开，连在一起", reason="print-defect")
    customer, order = catalogue.delivered(product)

    r = api.call(
        "POST",
        "/contacts",
        "agent2",
        {
            "customer": customer,
            "order": order,
            "line_no": 1,
            "reason": "wrong-item",
            "text": "Pages 100 and 101 are still joined at the top, never cut",
        },
    )

    assert r.status_code == 201, r.content
    body = r.json()
    problem = body["problem"]
    assert problem["id"] == Assignment.objects.get(contact_id=first.pk).problem_id
    assert problem["matched_contact"] == first.pk
    suggestion = problem["suggestion"]
    assert suggestion["eligible"] is True and suggestion["other_customers"] == 1
    assert set(suggestion["reasons"]) == {"print-defect", "wrong-item"}
    # In the reader's language: an English reader reads the English customer's words.
    assert suggestion["sentence"] == (
        "This sounds like “Pages 100 and 101 are still joined at the top”, which 1 other "
        "customer reported (coded Print defect, Wrong item): you may pull."
    )
    # The reason-code rule alone would say no: one customer per code.
    assert body["eligibility"]["eligible"] is True

    pulled = api.call(
        "POST",
        "/andons",
        "agent2",
        {"sku": SKU, "reason": "print-defect", "note": "100-101页未裁开", "problem": problem["id"]},
    )
    assert pulled.status_code == 201, pulled.content
    andon = Andon.objects.get(pk=pulled.json()["id"])
    assert andon.problem_id == problem["id"]
    assert set(andon.evidence.values_list("id", flat=True)) == {first.pk, body["id"]}

    # A later pull for the same problem, coded yet otherwise, joins that andon.
    again = api.call(
        "POST",
        "/andons",
        "agent1",
        {"sku": SKU, "reason": "wrong-item", "note": "same pages", "problem": problem["id"]},
    )
    assert again.status_code == 200 and again.json()["id"] == andon.pk


def test_a_chinese_reader_reads_the_chinese_customers_words(api, catalogue, model):
    product = catalogue.product(SKU)
    catalogue.report(product, "100-101页未裁开", reason="print-defect")
    customer, order = catalogue.delivered(product)
    r = api.call(
        "POST",
        "/contacts",
        "agent2",
        {
            "customer": customer,
            "order": order,
            "line_no": 1,
            "reason": "other",
            "text": "pages 100/101 uncut, had to use a knife",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    sentence = r.json()["problem"]["suggestion"]["sentence"]
    assert "「100-101页未裁开」" in sentence and "可以按灯" in sentence, sentence


def test_without_a_problem_the_reason_rule_still_refuses_one_customer(api, catalogue, model):
    catalogue.product(SKU)
    r = api.call("POST", "/andons", "agent1", {"sku": SKU, "reason": "print-defect", "note": "x"})
    assert r.status_code == 422 and r.json()["code"] == "not-eligible"
