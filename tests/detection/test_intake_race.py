"""A re-grouping (the worker's, an import's) that deletes the problem an intake has just
chosen, between the intake's read of its candidates and its commit: the contact is recorded
all the same, never lost to detection, and left for the worker to assign (PostgreSQL; SQLite
serialises writers, so the regrouping cannot commit inside an intake's transaction there)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from andon.contacts.models import Contact
from andon.detection import assign
from andon.detection.models import Assignment, Problem
from andon.detection.settle import outbox_settle

pytestmark = pytest.mark.django_db(transaction=True)

UNCUT = "第100页到101页没有裁开，粘在一起"


def _in_another_transaction(work) -> None:
    """`work` in a thread of its own, hence its own connection, committed before returning."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            with transaction.atomic():
                work()
        except BaseException as exc:  # handed to the test's thread
            failure.append(exc)
        finally:
            connections.close_all()

    t = threading.Thread(target=run)
    t.start()
    t.join(30)
    assert not t.is_alive() and not failure, failure


def test_a_problem_deleted_under_an_intake_leaves_its_contact_recorded_and_then_assigned(
    catalogue, model, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: the re-grouping waits for the intake")
    product = catalogue.product("SKU-RACE")
    first = catalogue.report(product, UNCUT)
    chosen = Assignment.objects.get(contact=first).problem_id
    read = assign.candidates_of

    def regrouped_meanwhile(**kwargs):
        candidates = read(**kwargs)

        def regroup() -> None:
            # What a re-grouping does to a problem whose members join another group: they move,
            # the emptied problem is deleted.
            other = Problem.objects.create(
                product=product, label_zh="另一个问题", created_at=timezone.now()
            )
            Assignment.objects.filter(problem_id=chosen).update(problem=other)
            Problem.objects.filter(pk=chosen).delete()

        _in_another_transaction(regroup)
        return candidates

    monkeypatch.setattr(assign, "candidates_of", regrouped_meanwhile)
    second = catalogue.report(product, "100-101页没裁开")
    monkeypatch.undo()

    assert Contact.objects.filter(pk=second.pk).exists()
    assert not Assignment.objects.filter(contact=second).exists()
    assert not Problem.objects.filter(pk=chosen).exists()
    # The worker's next pass assigns what the intake left.
    outbox_settle()
    assert Assignment.objects.filter(contact=second).exists()


def test_a_problem_deleted_under_a_pull_for_it_never_fails_the_pull(catalogue, model, monkeypatch):
    """The pull reads the problem and its contacts without a lock; a re-grouping that moves
    them away and deletes the problem before the pull commits must not fail the stop-sell:
    the andon opens with the evidence it read, and without the link to the deleted problem."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: the re-grouping waits for the pull")
    from andon.pulls import services as pulls
    from andon.pulls.models import Andon

    product = catalogue.product("SKU-RACE2")
    firsts = [catalogue.report(product, UNCUT), catalogue.report(product, "100-101页没裁开")]
    chosen = Assignment.objects.get(contact=firsts[0]).problem_id
    assert Assignment.objects.get(contact=firsts[1]).problem_id == chosen
    # The group its contacts move to exists already (creating one would wait for the pull's
    # lock on the product's listing, which its key references).
    other = Problem.objects.create(
        product=product, label_zh="另一个问题", created_at=timezone.now()
    )
    read = pulls._problem_of

    def regrouped_meanwhile(product, problem_id):
        found = read(product, problem_id)

        def regroup() -> None:
            Assignment.objects.filter(problem_id=chosen).update(problem=other)
            Problem.objects.filter(pk=chosen).delete()

        _in_another_transaction(regroup)
        return found

    monkeypatch.setattr(pulls, "_problem_of", regrouped_meanwhile)
    result = pulls.andon_pull(
        actor=catalogue.world.users["agent1"],
        sku=product.sku,
        reason="print-defect",
        note="100-101页未裁开",
        problem=chosen,
    )
    andon = Andon.objects.get(pk=result.andon.pk)
    assert andon.problem_id is None
    assert set(andon.evidence.values_list("pk", flat=True)) == {c.pk for c in firsts}
    product.refresh_from_db()
    assert product.listing_status == "suppressed"  # the stop-sell went through
