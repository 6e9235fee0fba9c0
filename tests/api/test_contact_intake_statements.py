"""Contact intake's statement count, pinned: `POST /api/v1/contacts` is the hot path of the
service desk (issue 11), and every statement is a round trip on each of its requests."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from andon.contacts.models import Contact
from andon.core.models import AuditEntry, IdempotencyRecord, OutboxEvent

from ..pulls.conftest import seed_product
from ..world import SKU

pytestmark = pytest.mark.django_db

CONTACT = {
    "customer": f"{SKU}-c0",
    "order": f"{SKU}-o0",
    "line_no": 1,
    "reason": "print-defect",
    "text": "100-101页未裁开",
}

# Token, user and roles (1); idempotency claim (1); no savepoint around the intake and the
# staged relist's watch (the request's transaction rolls a failed re-suppression back with
# the contact: the last test); line, order, customer, product and reason (1); contact (1);
# audit and outbox (1 on PostgreSQL, 2 else); the delivery wake-up (1); detection's
# assignment in its savepoint (4: the candidates with their problems' labels in one read,
# then the assignment); the answer (1: the last close, both eligibility counts and the
# suggestion's members in one statement; the problem and the reason come with the
# assignment and the contact); the stored answer (1); the test's savepoint around the
# request (2, a BEGIN/COMMIT in production).
STATEMENTS = {"postgresql": 14, "sqlite": 15}


def post(client, world, key: str, customer: int = 0):
    body = {**CONTACT, "customer": f"{SKU}-c{customer}", "order": f"{SKU}-o{customer}"}
    return client.post(
        "/api/v1/contacts",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        **world.auth("agent1"),
    )


def test_one_contact_intake_costs_a_pinned_number_of_statements(client, world):
    seed_product(agent=world.users["agent1"])
    assert post(client, world, "warm-up").status_code == 201  # the token's last use is noted
    with CaptureQueriesContext(connection) as seen:
        # Another customer than the warm-up's, with the same words: the cord is offered.
        r = post(client, world, "pinned", customer=1)
    assert r.status_code == 201, r.content
    assert len(seen.captured_queries) == STATEMENTS[connection.vendor], "\n".join(
        q["sql"][:160] for q in seen.captured_queries
    )
    # Nothing was saved by leaving it out: the contact, its audit entry, its outbox event and
    # the stored answer are all there.
    contact = Contact.objects.get(pk=r.json()["id"])
    assert AuditEntry.objects.filter(
        action="contact.created", subject_id=str(contact.pk), data__reason="print-defect"
    ).exists()
    assert OutboxEvent.objects.filter(
        event_type="contact.created", payload__contact_id=contact.pk
    ).exists()
    # Nor the detection: the answer names the problem and offers the cord.
    problem = r.json()["problem"]
    assert problem is not None and problem["label"], r.json()
    assert problem["suggestion"] is not None and problem["suggestion"]["sentence"], problem
    stored = IdempotencyRecord.objects.get(key="pinned")
    assert stored.status_code == 201 and json.loads(bytes(stored.response_body)) == r.json()


class Boom(RuntimeError):
    pass


@pytest.mark.parametrize("failure", ["refused", "crash"])
def test_a_failed_watch_leaves_no_contact_although_the_api_holds_no_savepoint(
    world, monkeypatch, failure
):
    """The API calls the intake without the watch's savepoint: the request's transaction (the
    idempotency claim's) must still roll the contact back with a failed watch, whether the
    failure is answered (a domain error: 4xx) or not (500), and the key stays free."""
    from django.test import Client

    from andon.core.errors import InvalidInput
    from andon.pulls import watch

    seed_product(agent=world.users["agent1"])
    before = (Contact.objects.count(), AuditEntry.objects.count(), OutboxEvent.objects.count())

    def fail(**kwargs):
        assert Contact.objects.count() == before[0] + 1  # written, in this transaction
        raise InvalidInput("no", field="text") if failure == "refused" else Boom("watch")

    monkeypatch.setattr(watch, "watch_contact", fail)
    client = Client(raise_request_exception=False)
    r = post(client, world, "failed")
    assert r.status_code == (422 if failure == "refused" else 500), r.content
    after = (Contact.objects.count(), AuditEntry.objects.count(), OutboxEvent.objects.count())
    assert after == before
    assert not IdempotencyRecord.objects.filter(key="failed").exists()
