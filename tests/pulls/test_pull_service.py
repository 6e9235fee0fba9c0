"""The pull as a service: atomic effects and set-based holds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from andon.catalog.models import Product
from andon.contacts.models import Contact
from andon.core.models import AuditEntry, OutboxEvent
from andon.holds.models import Hold, LineScope
from andon.orders.models import OrderLine
from andon.pulls import services
from andon.pulls.models import Andon, CordPull
from andon.workorders.models import WorkOrder

from ..holds.held import held_lines, line_holds_written
from ..world import SKU
from .conftest import seed_product

pytestmark = pytest.mark.django_db


def pull(world, agent="agent1", note="100-101页未裁开", sku=SKU):
    return services.andon_pull(actor=world.users[agent], sku=sku, reason="print-defect", note=note)


class Boom(RuntimeError):
    pass


def test_a_failure_after_suppression_before_work_orders_leaves_no_trace(world, seeded, monkeypatch):
    audit_before = AuditEntry.objects.count()
    outbox_before = OutboxEvent.objects.count()

    def fail(**kwargs):
        # By now the listing is suppressed and the holds are placed, in this transaction.
        assert Product.objects.get(sku=SKU).listing_status == "suppressed"
        assert Hold.objects.exists()
        raise Boom("work orders could not be written")

    monkeypatch.setattr(services, "work_orders_open", fail)
    with pytest.raises(Boom):
        pull(world)
    assert Product.objects.get(sku=SKU).listing_status == "active"
    assert not Hold.objects.exists()
    assert not Andon.objects.exists() and not CordPull.objects.exists()
    assert not WorkOrder.objects.exists()
    assert not held_lines().exists() and not LineScope.objects.exists()
    assert AuditEntry.objects.count() == audit_before
    assert OutboxEvent.objects.count() == outbox_before


def test_a_pull_credits_the_agent_and_keeps_the_team_lead_of_the_moment(world, seeded):
    result = pull(world, agent="agent1")
    andon = result.andon
    assert andon.team.code == "team-1" and andon.team_lead.username == "lead1"
    credit = CordPull.objects.get(andon=andon)
    assert credit.credited and credit.agent.username == "agent1" and not credit.joined


def test_the_andon_answered_is_the_andon_stored_with_its_evidence(world, seeded):
    # The andon, its evidence and its credit are written by hand-built SQL on PostgreSQL
    # (pulls.opening): what the pull answers is what a read gives back.
    result = pull(world)
    stored = Andon.objects.get(pk=result.andon.pk)
    fields = [f.attname for f in Andon._meta.concrete_fields]
    assert {f: getattr(stored, f) for f in fields} == {f: getattr(result.andon, f) for f in fields}
    contacts = Contact.objects.filter(product__sku=SKU, reason__code="print-defect")
    assert result.evidence == stored.evidence_links.count() == contacts.count() > 0
    assert set(stored.evidence.values_list("pk", flat=True)) == set(
        contacts.values_list("pk", flat=True)
    )
    assert stored.first_report_at == min(c.created_at for c in contacts)
    credit = CordPull.objects.get(andon=stored)
    assert credit.pk == CordPull.objects.get(andon=result.andon).pk
    assert (credit.note, credit.pulled_at, credit.credited) == (stored.note, stored.opened_at, True)


def test_over_the_api_the_team_of_the_moment_is_read_with_the_token(world, seeded, api):
    r = api.call("POST", "/andons", "agent1", {"sku": SKU, "reason": "print-defect", "note": "x"})
    assert r.status_code == 201, r.content
    andon = Andon.objects.get(pk=r.json()["id"])
    assert andon.team.code == "team-1" and andon.team_lead.username == "lead1"
    assert r.json()["evidence_contacts"] == andon.evidence_links.count() > 0
    assert [w["department"] for w in r.json()["work_orders"]] == list(
        andon.work_orders.order_by("department__code").values_list("department__code", flat=True)
    )


def test_a_different_reason_opens_its_own_andon_and_the_product_stays_suppressed(world, seeded):
    from andon.contacts.models import ReasonCode, ReasonRoute
    from andon.people.models import Department

    wrong = ReasonCode.objects.get(code="wrong-item")
    wrong.threshold = 1
    wrong.save()
    ReasonRoute.objects.create(
        reason=wrong,
        department=Department.objects.get(code="warehouse-logistics"),
        instruction_zh="查",
        instruction_en="check",
    )
    first = pull(world)
    from andon.contacts.services import contact_record

    contact_record(
        actor=world.users["agent1"],
        customer=f"{SKU}-c0",
        order=f"{SKU}-o0",
        line_no=1,
        reason="wrong-item",
        text="发错书了",
    )
    second = services.andon_pull(
        actor=world.users["agent1"], sku=SKU, reason="wrong-item", note="发错货"
    )
    assert second.andon.pk != first.andon.pk and not second.joined
    assert Andon.objects.filter(state="open").count() == 2
    assert Product.objects.get(sku=SKU).listing_status == "suppressed"


@pytest.mark.slow
def test_a_pull_that_holds_5000_lines_runs_the_same_queries_as_one_that_holds_5(world):
    counts = {}
    for lines in (5, 5000):
        seed_product(sku=f"SKU-{lines}", packed_lines=lines, agent=world.users["agent1"])
        with CaptureQueriesContext(connection) as queries:
            result = pull(world, sku=f"SKU-{lines}")
        counts[lines] = len(queries.captured_queries)
        assert result.holds.order_lines == lines
        assert result.holds.stock_units == 200
        held = held_lines(OrderLine.objects.filter(product__sku=f"SKU-{lines}"))
        assert held.count() == lines
        # Written out when someone asks for the lines' own holds: one row per line held.
        holds = line_holds_written(andon=result.andon)
        assert sorted(holds.values_list("order_line_id", flat=True)) == sorted(
            held.values_list("pk", flat=True)
        )
    assert counts[5] == counts[5000], counts
    assert counts[5] == PULL_QUERIES[connection.vendor], counts


# The pull's exact cost: a new query in the cord's path must be a decision, not an accident.
# Savepoint and its release (2), roles (2), the reason with its routes, the listing lock,
# the product's andons (the last closed one and the open one to join, in one aggregate), the
# reason's contacts (eligibility, evidence and first report from one read), team, andon,
# evidence, credit, suppression, holds (an INSERT ... SELECT of the stock rows and one scope
# row for every packed line, whose results are the counts: nothing is written per line, nor
# on the lines; then the stock held per warehouse and batch), the blast radius (2: the
# lines' aggregate, related products), work orders, events (2), the delivery wake-up task,
# audit: 23 on SQLite. On PostgreSQL the andon, its evidence and its credit are one
# statement, and so are the holds (the inserts after the first are data-modifying CTEs), and
# the audit goes in with the events, numbered by their INSERT: 17. (NOTIFY is a trigger on
# the outbox, not a query.)
PULL_QUERIES = {"sqlite": 23, "postgresql": 17}


def test_the_pull_runs_exactly_its_query_budget(world, django_assert_num_queries):
    seed_product(agent=world.users["agent1"])
    with django_assert_num_queries(PULL_QUERIES[connection.vendor]):
        result = pull(world)
    assert not result.joined and result.holds.order_lines == 5


def test_the_pull_writes_nothing_on_the_lines_it_holds(world):
    # The pull holds the packed lines by one scope row (holds.scopes): no row per line, and
    # never an UPDATE of the lines, whatever their number.
    seed_product(sku="SKU-50", packed_lines=50, agent=world.users["agent1"])
    with CaptureQueriesContext(connection) as queries:
        result = pull(world, sku="SKU-50")
    sql = [q["sql"].lstrip().upper() for q in queries.captured_queries]
    assert not [s for s in sql if s.startswith("UPDATE") and "ORDERS_ORDERLINE" in s]
    assert len([s for s in sql if "INSERT INTO HOLDS_HOLD" in s]) == 1  # the stock
    assert len([s for s in sql if "INSERT INTO HOLDS_LINESCOPE" in s]) == 1
    assert not Hold.objects.filter(kind="order_line").exists()
    assert result.holds.order_lines == 50
    held = held_lines(OrderLine.objects.filter(product__sku="SKU-50"))
    assert held.count() == 50
    assert line_holds_written(andon=result.andon).count() == 50
