"""Every new endpoint refuses bad input with a 4xx naming the field, and writes nothing."""

from __future__ import annotations

import pytest

from andon.core.models import AuditEntry
from andon.detection.models import Assignment, Problem

from ..world import SKU

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_problems(catalogue, model):
    product = catalogue.product(SKU)
    a = catalogue.report(product, "100-101页未裁开")
    b = catalogue.report(product, "封面被压折了，书角也撞坏了", reason="damaged-in-transit")
    other = catalogue.product("OTHER", title="三体")
    c = catalogue.report(other, "第33页到48页全是白纸")
    pa, pb, pc = (Assignment.objects.get(contact_id=x.pk).problem_id for x in (a, b, c))
    assert len({pa, pb, pc}) == 3
    return {"a": a, "b": b, "c": c, "pa": pa, "pb": pb, "pc": pc}


def snapshot():
    return (
        list(Assignment.objects.order_by("pk").values_list("pk", "problem_id", "pinned")),
        list(Problem.objects.order_by("pk").values_list("pk", "state")),
        AuditEntry.objects.filter(subject_type="problem").count(),
    )


@pytest.mark.parametrize(
    "path,status,field",
    [
        ("/problem-clusters", 422, "product"),
        ("/problem-clusters?product=", 422, "product"),
        ("/problem-clusters?product=NOPE", 404, "product"),
        ("/shared-causes?days=0", 422, "days"),
        ("/shared-causes?days=many", 422, "days"),
    ],
)
def test_reads_refuse_bad_queries(api, world, path, status, field):
    r = api.call("GET", path, "agent1")
    assert r.status_code == status and r.json()["field"] == field, r.content


def test_corrections_refuse_bad_input_and_write_nothing(api, two_problems):
    t = two_problems
    before = snapshot()
    cases = [
        ("merge", t["pa"], {"into": t["pa"]}, 422, "into"),
        ("merge", t["pa"], {"into": t["pc"]}, 422, "into"),
        ("merge", t["pa"], {"into": 999_999}, 404, "into"),
        ("merge", t["pa"], {}, 422, "into"),
        ("merge", t["pa"], {"into": "x"}, 422, "into"),
        ("merge", 999_999, {"into": t["pa"]}, 404, "problem"),
        ("split", t["pa"], {"contacts": []}, 422, "contacts"),
        ("split", t["pa"], {"contacts": [t["a"].pk]}, 422, "contacts"),
        ("split", t["pa"], {"contacts": [t["b"].pk]}, 422, "contacts"),
        ("split", t["pa"], {"contacts": "1"}, 422, "contacts"),
        ("move", t["pa"], {"contacts": [t["c"].pk]}, 422, "contacts"),
        ("move", t["pa"], {"contacts": [123_456]}, 422, "contacts"),
        ("move", t["pa"], {}, 422, "contacts"),
    ]
    for action, pid, body, status, field in cases:
        r = api.call("POST", f"/problem-clusters/{pid}/{action}", "lead1", body)
        assert (r.status_code, r.json()["field"]) == (status, field), (action, body, r.content)
    r = api.call("POST", "/problem-clusters/abc/merge", "lead1", {"into": 1})
    assert r.status_code == 422
    r = api.call("POST", f"/problem-clusters/{t['pa']}/merge", "lead1", raw="{not json")
    assert r.status_code == 400 and r.json()["field"] == "body"
    assert snapshot() == before


def test_agents_do_not_correct_problems(api, two_problems):
    before = snapshot()
    r = api.call(
        "POST",
        f"/problem-clusters/{two_problems['pb']}/merge",
        "agent1",
        {"into": two_problems["pa"]},
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert snapshot() == before


def test_a_pull_for_a_problem_of_another_product_is_refused(api, two_problems):
    for problem, status in ((two_problems["pc"], 422), (999_999, 422)):
        r = api.call(
            "POST",
            "/andons",
            "agent1",
            {"sku": SKU, "reason": "print-defect", "note": "x", "problem": problem},
        )
        assert r.status_code == status and r.json()["field"] == "problem", r.content
