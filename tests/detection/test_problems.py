"""Problems on SQLite and PostgreSQL: a repeat reporter counts once, corrections are kept and
audited, a rebuild gives the online answer, the intake never fails a contact, an import
assigns set-based."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from andon.core.models import AuditEntry
from andon.detection import services
from andon.detection.models import Assignment, Problem, ProblemState
from andon.integrations.imports import rows_import

from ..world import SKU

pytestmark = pytest.mark.django_db

UNCUT = [
    ("第100页和101页没有裁开，连在一起", "print-defect"),
    ("Pages 100-101 are still joined at the edge, never cut", "other"),
    ("100-101页未裁开", "print-defect"),
]
MISSING = [
    ("封面被压折了，书角也撞坏了，快递箱都湿了", "damaged-in-transit"),
    ("cover arrived creased and the corners are crushed, the box was soaked", "other"),
]


def problem_of(contact) -> int:
    return Assignment.objects.get(contact_id=contact.pk).problem_id


def groups(contacts) -> list[set[int]]:
    by: dict[int, set[int]] = {}
    for c in contacts:
        by.setdefault(problem_of(c), set()).add(c.pk)
    return sorted(by.values(), key=min)


def test_one_defect_in_two_languages_is_one_problem_and_another_defect_is_another(catalogue, model):
    product = catalogue.product(SKU)
    uncut = [catalogue.report(product, t, reason=r) for t, r in UNCUT]
    missing = [catalogue.report(product, t, reason=r) for t, r in MISSING]
    assert groups(uncut + missing) == [{c.pk for c in uncut}, {c.pk for c in missing}]
    a = Assignment.objects.get(contact_id=uncut[1].pk)
    assert a.method == "embedding" and a.matched_contact_id == uncut[0].pk and a.similarity > 0


def test_a_customer_who_reports_twice_is_one_customer(api, catalogue, model):
    product = catalogue.product(SKU)
    first = catalogue.report(product, UNCUT[0][0], customer="cust-a")
    catalogue.report(product, "又来电：还是第100页和101页没裁开", customer="cust-a")

    clusters = api.call("GET", f"/problem-clusters?product={SKU}", "agent1").json()["clusters"]
    assert len(clusters) == 1
    c = clusters[0]
    assert c["distinct_customers"] == 1 and len(c["contacts"]) == 2
    assert c["suggest_pull"] is False and c["reasons"] == {"print-defect": 2}
    assert c["id"] == problem_of(first)
    assert set(c) == {
        "id",
        "label",
        "reasons",
        "distinct_customers",
        "first_at",
        "last_at",
        "suggest_pull",
        "contacts",
    }
    assert set(c["contacts"][0]) == {"id", "external_id", "customer", "created_at"}


def test_corrections_are_kept_by_a_rebuild_and_audited(api, catalogue, model):
    product = catalogue.product(SKU)
    uncut = [catalogue.report(product, t, reason=r) for t, r in UNCUT]
    missing = [catalogue.report(product, t, reason=r) for t, r in MISSING]
    # A team lead decides the third uncut report belongs with the missing pages.
    r = api.call(
        "POST",
        f"/problem-clusters/{problem_of(missing[0])}/move",
        "lead1",
        {"contacts": [uncut[2].pk]},
    )
    assert r.status_code == 200, r.content
    moved = AuditEntry.objects.get(action="problem.contacts_moved")
    assert moved.data["contacts"] == [uncut[2].pk] and moved.actor.username == "lead1"

    call_command("detection", "rebuild", "--product", SKU, "--no-progress")

    assert groups(uncut + missing) == [
        {uncut[0].pk, uncut[1].pk},
        {uncut[2].pk} | {c.pk for c in missing},
    ]
    a = Assignment.objects.get(contact_id=uncut[2].pk)
    assert a.pinned and a.method == "manual" and a.corrected_by.username == "lead1"

    # Split it out again, then merge the two problems: each step kept and audited.
    s = api.call(
        "POST",
        f"/problem-clusters/{problem_of(missing[0])}/split",
        "lead1",
        {"contacts": [uncut[2].pk]},
    )
    assert s.status_code == 201 and s.json()["contacts"][0]["id"] == uncut[2].pk
    m = api.call(
        "POST",
        f"/problem-clusters/{s.json()['id']}/merge",
        "lead1",
        {"into": problem_of(uncut[0])},
    )
    assert m.status_code == 200 and m.json()["distinct_customers"] == 3
    assert Problem.objects.get(pk=s.json()["id"]).state == ProblemState.MERGED
    services.problems_rebuild(sku=SKU)
    assert groups(uncut + missing) == [{c.pk for c in uncut}, {c.pk for c in missing}]
    assert {e.action for e in AuditEntry.objects.filter(subject_type="problem")} == {
        "problem.contacts_moved",
        "problem.split",
        "problem.merged",
    }


def test_a_later_report_follows_a_corrected_contact(api, catalogue, model):
    product = catalogue.product(SKU)
    leak = catalogue.report(product, "水壶底部漏水，桌子上一滩水", reason="other")
    lid = catalogue.report(product, "盖子合不上，按钮卡住了", reason="other")
    odd = catalogue.report(product, "the lid pops open while boiling", reason="other")
    if problem_of(odd) != problem_of(lid):
        api.call(
            "POST", f"/problem-clusters/{problem_of(lid)}/move", "lead1", {"contacts": [odd.pk]}
        )
    later = catalogue.report(product, "lid pops open when the water boils", reason="other")
    assert problem_of(later) == problem_of(lid) != problem_of(leak)


def test_a_rebuild_gives_the_answer_online_assignment_gave(catalogue, model):
    product = catalogue.product(SKU)
    texts = (
        UNCUT
        + MISSING
        + [
            ("封面被压折了，书角也撞坏了", "damaged-in-transit"),
            ("cover arrived creased and the corners are crushed", "damaged-in-transit"),
            ("想开发票，抬头写公司名", "other"),
            ("？", "print-defect"),  # words that say nothing (blank text is refused)
        ]
    )
    contacts = [catalogue.report(product, t, reason=r) for t, r in texts]
    online = {c.pk: problem_of(c) for c in contacts}

    services.problems_rebuild(sku=SKU)

    assert {c.pk: problem_of(c) for c in contacts} == online


def test_the_contact_is_recorded_when_detection_fails(api, catalogue, model, monkeypatch):
    product = catalogue.product(SKU)

    def broken(**kwargs):
        raise RuntimeError("detection is down")

    monkeypatch.setattr("andon.detection.services.contact_assign", broken)
    customer, order = catalogue.delivered(product)
    r = api.call(
        "POST",
        "/contacts",
        "agent1",
        {
            "customer": customer,
            "order": order,
            "line_no": 1,
            "reason": "print-defect",
            "text": "100-101页未裁开",
        },
    )
    assert r.status_code == 201 and r.json()["problem"] is None
    assert not Assignment.objects.filter(contact_id=r.json()["id"]).exists()
    monkeypatch.undo()
    call_command("detection", "pending", "--no-progress")
    assert Assignment.objects.filter(contact_id=r.json()["id"]).exists()


def test_without_the_model_the_lexical_fallback_assigns(catalogue, monkeypatch):
    monkeypatch.setenv("ANDON_DETECTION_MODEL", "off")
    product = catalogue.product(SKU)
    a = catalogue.report(product, "第100页和101页没有裁开")
    b = catalogue.report(product, "100-101页未裁开，翻不开")
    assert problem_of(a) == problem_of(b)
    assert Assignment.objects.get(contact_id=b.pk).method == "lexical"
    assert Assignment.objects.get(contact_id=b.pk).vector == b""


def test_an_import_assigns_problems_set_based(
    world, catalogue, model, django_assert_max_num_queries
):
    product = catalogue.product(SKU)
    rows = []
    for i, (text, reason) in enumerate(UNCUT + MISSING):
        customer, order = catalogue.delivered(product)
        rows.append(
            {
                "external_id": f"ext-{i}",
                "customer": customer,
                "order": order,
                "line_no": 1,
                "reason": reason,
                "text": text,
                "created_at": f"2026-11-0{i + 1}T10:00:00+08:00",
                "agent": "agent1",
            }
        )
    with django_assert_max_num_queries(40):
        result = rows_import(actor=None, kind="contacts", rows=rows)
    assert result.created == 5 and not result.rejected
    imported = list(Assignment.objects.order_by("reported_at"))
    assert len(imported) == 5
    by = [a.problem_id for a in imported]
    assert by[0] == by[1] == by[2] != by[3] == by[4]
    # Importing the same rows again assigns nothing twice.
    assert rows_import(actor=None, kind="contacts", rows=rows).unchanged == 5
    assert Assignment.objects.count() == 5
