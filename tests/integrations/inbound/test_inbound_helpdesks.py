"""Hosted helpdesks POST ticket events; a signed ticket that names an order becomes one
contact, through the contacts service (text required), once per ticket; replays, updates and
retries write nothing more; bad or unsigned requests are refused with problem details and
logged. Real database (SQLite and PostgreSQL), the real HTTP stack through Django's client."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from andon.contacts.models import Contact
from andon.integrations.models import InboundEvent

from ...snapshot import assert_nothing_written, db_state
from . import payloads as p
from .conftest import SECRET

pytestmark = pytest.mark.django_db


def post(client, path: str, body: bytes, headers: dict):
    return client.post(
        f"/api/v1/inbound/{path}",
        data=body,
        content_type="application/json",
        headers={"Accept-Language": "en", **headers},
    )


def problem(r, status: int, field: str | None = None) -> dict:
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/problem+json")
    body = r.json()
    if field is not None:
        assert body["field"] == field, body
    return body


# --- Zendesk -----------------------------------------------------------------------------


def test_a_signed_zendesk_ticket_becomes_one_contact(client, zendesk, shop):
    body = p.dumps(p.zendesk_trigger())
    r = post(client, "zendesk/zd-main", body, p.zendesk_headers(SECRET, body))
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["outcome"] == "recorded" and out["replayed"] is False and out["ticket"] == "35436"
    c = Contact.objects.get(pk=out["contact"])
    assert c.external_id == f"hd{zendesk.pk}:35436"
    assert c.reason.code == "print-defect"  # mapped from the helpdesk's "misprint"
    assert c.order_line.order.external_id == "order-a" and c.customer.external_id == "cust-a"
    assert c.agent == shop.users["agent1"] and c.channel == "email"
    assert c.text.startswith("书页装订错误") and "第 33 页到 48 页装反了。" in c.text
    # Detection saw it, as for any contact recorded through the service.
    assert InboundEvent.objects.get().outcome == "recorded"


def test_a_replayed_zendesk_event_changes_nothing(client, zendesk):
    body = p.dumps(p.zendesk_trigger())
    headers = p.zendesk_headers(SECRET, body)
    first = post(client, "zendesk/zd-main", body, headers).json()
    before = db_state()
    again = post(client, "zendesk/zd-main", body, headers)
    assert again.status_code == 200
    assert again.json() == {**first, "replayed": True}
    assert_nothing_written(before)


def test_updates_of_a_recorded_ticket_record_nothing_more(client, zendesk):
    body = p.dumps(p.zendesk_trigger())
    post(client, "zendesk/zd-main", body, p.zendesk_headers(SECRET, body, invocation="1"))
    # The agent edits the ticket: a new invocation, the same ticket, another reason.
    body2 = p.dumps(p.zendesk_trigger(reason="print-defect"))
    r = post(client, "zendesk/zd-main", body2, p.zendesk_headers(SECRET, body2, invocation="2"))
    assert r.json()["outcome"] == "unchanged"
    assert Contact.objects.count() == 1
    assert InboundEvent.objects.count() == 2


def test_a_zendesk_event_subscription_ticket_without_order_is_ignored(client, zendesk):
    """Most tickets are about something else: logged, answered 200 (no vendor retries)."""
    body = p.dumps(p.zendesk_ticket_created())
    r = post(client, "zendesk/zd-main", body, p.zendesk_headers(SECRET, body))
    assert r.status_code == 200 and r.json()["outcome"] == "ignored"
    assert r.json()["event_id"] == "cbe4028c-7239-495d-b020-f22348516046"
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "spoil",
    [
        "missing",
        "wrong-secret",
        "tampered-body",
        "stale",
        "future",
    ],
)
def test_bad_zendesk_signatures_are_401_logged_and_write_nothing(client, zendesk, spoil, caplog):
    body = p.dumps(p.zendesk_trigger())
    headers = p.zendesk_headers(SECRET, body)
    if spoil == "missing":
        headers.pop("X-Zendesk-Webhook-Signature")
    elif spoil == "wrong-secret":
        headers = p.zendesk_headers("another-secret", body)
    elif spoil == "tampered-body":
        body = p.dumps(p.zendesk_trigger(order="order-b"))
    elif spoil == "stale":
        headers = p.zendesk_headers(
            SECRET, body, at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        )
    else:
        headers = p.zendesk_headers(
            SECRET, body, at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        )
    before = db_state()
    with caplog.at_level(logging.WARNING, logger="andon.integrations.inbound"):
        out = problem(post(client, "zendesk/zd-main", body, headers), 401)
    assert out["code"] == "bad-signature"
    assert any("refused" in m for m in caplog.messages)
    assert_nothing_written(before)


# --- Freshdesk ---------------------------------------------------------------------------


@pytest.mark.parametrize("auth", ["token", "basic"])
def test_a_freshdesk_ticket_with_the_shared_secret_becomes_a_contact(client, freshdesk, auth):
    body = p.dumps(p.freshdesk_simple())
    headers = (
        {"X-Andon-Token": SECRET}
        if auth == "token"
        else {"Authorization": p.basic("freshdesk", SECRET)}
    )
    r = post(client, "freshdesk/fd", body, headers)
    assert r.status_code == 200, r.content
    c = Contact.objects.get(pk=r.json()["contact"])
    assert c.order_line.order.external_id == "order-b" and c.order_line.line_no == 1
    assert c.reason.code == "print-defect"
    # HTML description read as the customer's words, markup gone.
    assert c.text == "Book arrived with blank pages\nPages 12-20 are blank.\nBob"
    # Freshdesk names no event: the same bytes again are the same event.
    again = post(client, "freshdesk/fd", body, headers)
    assert again.json()["replayed"] is True and Contact.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Andon-Token": "guess"}, {"Authorization": "Basic !!!"}, {"Authorization": "x"}],
    ids=["none", "wrong-token", "bad-basic", "other-scheme"],
)
def test_freshdesk_without_the_secret_is_401(client, freshdesk, headers):
    body = p.dumps(p.freshdesk_simple())
    before = db_state()
    problem(post(client, "freshdesk/fd", body, headers), 401)
    assert_nothing_written(before)


def test_freshdesk_basic_auth_with_a_wrong_password_is_401(client, freshdesk):
    body = p.dumps(p.freshdesk_simple())
    problem(post(client, "freshdesk/fd", body, {"Authorization": p.basic("fd", "nope")}), 401)


# --- Zammad ------------------------------------------------------------------------------


def test_a_signed_zammad_ticket_becomes_a_contact(client, zammad):
    body = p.dumps(p.zammad_default())
    r = post(client, "zammad/zm", body, p.zammad_headers(SECRET, body))
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["event_id"] == "9c0e3c3ef4a1f8e7" and out["ticket"] == "57"
    c = Contact.objects.get(pk=out["contact"])
    assert c.reason.code == "print-defect"  # already an Andon code: no map needed
    assert c.text == "印刷模糊\n整本书印刷模糊，看不清字。"
    # Zammad retries a failed delivery: same delivery id, nothing new.
    before = db_state()
    assert post(client, "zammad/zm", body, p.zammad_headers(SECRET, body)).json()["replayed"]
    assert_nothing_written(before)


@pytest.mark.parametrize("signature", [None, "sha1=" + "0" * 40, "sha256=abc"])
def test_bad_zammad_signatures_are_401(client, zammad, signature):
    body = p.dumps(p.zammad_default())
    headers = p.zammad_headers(SECRET, body)
    if signature is None:
        headers.pop("X-Hub-Signature")
    else:
        headers["X-Hub-Signature"] = signature
    before = db_state()
    problem(post(client, "zammad/zm", body, headers), 401)
    assert_nothing_written(before)


# --- what every vendor shares ------------------------------------------------------------


def test_two_tickets_from_two_customers_are_two_contacts_on_one_product(client, zendesk, zammad):
    a = p.dumps(p.zendesk_trigger(ticket_id=1, order="order-a"))
    b = p.dumps(p.zammad_default(ticket_id=2, order="order-b"))
    post(client, "zendesk/zd-main", a, p.zendesk_headers(SECRET, a))
    post(client, "zammad/zm", b, p.zammad_headers(SECRET, b))
    contacts = list(Contact.objects.order_by("id"))
    assert len(contacts) == 2
    assert contacts[0].product_id == contacts[1].product_id
    assert {c.customer.external_id for c in contacts} == {"cust-a", "cust-b"}


def test_an_unknown_order_is_422_naming_the_helpdesk_field_and_logged(client, zendesk):
    body = p.dumps(p.zendesk_trigger(order="no-such-order"))
    out = problem(post(client, "zendesk/zd-main", body, p.zendesk_headers(SECRET, body)), 422)
    assert out["field"] == p.ZENDESK_ORDER_FIELD
    event = InboundEvent.objects.get()
    assert event.outcome == "rejected" and event.field == p.ZENDESK_ORDER_FIELD
    assert not Contact.objects.exists()


def test_a_rejected_event_is_judged_afresh_when_it_comes_again(client, zendesk):
    body = p.dumps(p.zendesk_trigger(reason="smudged"))
    headers = p.zendesk_headers(SECRET, body)
    out = problem(post(client, "zendesk/zd-main", body, headers), 422)
    assert out["code"] == "unknown-reason"
    # The admin maps the helpdesk's value; the vendor's retry now records the contact.
    zendesk.reason_map["smudged"] = "print-defect"
    zendesk.save()
    r = post(client, "zendesk/zd-main", body, headers)
    assert r.json()["outcome"] == "recorded" and r.json()["replayed"] is False
    assert InboundEvent.objects.get().outcome == "recorded"


def test_a_ticket_without_words_is_refused_naming_text(client, zammad):
    payload = p.zammad_default()
    payload["ticket"]["title"] = " "
    payload["article"]["body"] = "<p> </p>"
    body = p.dumps(payload)
    problem(post(client, "zammad/zm", body, p.zammad_headers(SECRET, body)), 422, "text")
    assert not Contact.objects.exists()


def test_a_line_the_order_lacks_is_422_naming_the_line_field(client, freshdesk):
    payload = p.freshdesk_simple(order="order-b")
    payload["freshdesk_webhook"]["ticket_cf_order_line"] = "7"
    body = p.dumps(payload)
    problem(post(client, "freshdesk/fd", body, {"X-Andon-Token": SECRET}), 422, "cf_order_line")


@pytest.mark.parametrize(
    "raw, status, field",
    [(b"{not json", 400, "body"), (b"[]", 400, "body"), (b'{"ticket": {}}', 400, "ticket.id")],
)
def test_signed_but_malformed_bodies_are_4xx(client, zammad, raw, status, field):
    problem(post(client, "zammad/zm", raw, p.zammad_headers(SECRET, raw)), status, field)
    assert not InboundEvent.objects.exists()


def test_a_nul_character_is_refused_before_the_database(client, zammad):
    payload = p.zammad_default()
    payload["article"]["body"] = "bad\x00byte"
    body = p.dumps(payload)
    problem(post(client, "zammad/zm", body, p.zammad_headers(SECRET, body)), 400, "body")


@pytest.mark.parametrize("path", ["zendesk/nope", "zammad/zd-main", "other/zd-main"])
def test_unknown_or_mismatched_connections_are_4xx(client, zendesk, path):
    body = p.dumps(p.zendesk_trigger())
    r = post(client, path, body, p.zendesk_headers(SECRET, body))
    assert r.status_code in (404, 422) and r["Content-Type"].startswith("application/problem")


def test_a_paused_connection_takes_nothing(client, zendesk):
    zendesk.active = False
    zendesk.save()
    body = p.dumps(p.zendesk_trigger())
    problem(post(client, "zendesk/zd-main", body, p.zendesk_headers(SECRET, body)), 404)


def test_the_hot_path_reads_and_writes_a_bounded_number_of_rows(
    client, zendesk, django_assert_max_num_queries
):
    """A recorded ticket and its replay: the query budget of one webhook, whatever the
    size of the shop (the contact, the detection assignment and the event log)."""
    body = p.dumps(p.zendesk_trigger())
    headers = p.zendesk_headers(SECRET, body)
    with django_assert_max_num_queries(40):  # 33 measured (SQLite)
        assert post(client, "zendesk/zd-main", body, headers).json()["outcome"] == "recorded"
    with django_assert_max_num_queries(6):
        assert post(client, "zendesk/zd-main", body, headers).json()["replayed"] is True
