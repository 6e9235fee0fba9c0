"""The signature schemes and ticket reading, pure: vectors computed by hand from each
vendor's documented recipe."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

import pytest

from andon.integrations.inbound import rules

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
BODY = b'{"ticket":{"id":"1"}}'


def test_zendesk_signs_timestamp_then_body_in_base64_sha256():
    ts = "2026-12-01T09:00:00Z"
    sig = base64.b64encode(hmac.new(b"s3cret", ts.encode() + BODY, hashlib.sha256).digest())
    headers = {
        "X-Zendesk-Webhook-Signature": sig.decode(),
        "X-Zendesk-Webhook-Signature-Timestamp": ts,
    }
    assert rules.zendesk_problem(secret="s3cret", body=BODY, headers=headers, now=NOW) is None
    # The body alone (no timestamp) is not Zendesk's recipe.
    only_body = base64.b64encode(hmac.new(b"s3cret", BODY, hashlib.sha256).digest()).decode()
    headers["X-Zendesk-Webhook-Signature"] = only_body
    assert rules.zendesk_problem(secret="s3cret", body=BODY, headers=headers, now=NOW)


@pytest.mark.parametrize("ts", ["yesterday", "2026-12-01T09:00:00", "1"])
def test_zendesk_timestamps_must_be_readable_zoned_and_recent(ts):
    sig = base64.b64encode(hmac.new(b"k", ts.encode() + BODY, hashlib.sha256).digest()).decode()
    headers = {"X-Zendesk-Webhook-Signature": sig, "X-Zendesk-Webhook-Signature-Timestamp": ts}
    assert rules.zendesk_problem(secret="k", body=BODY, headers=headers, now=NOW)


def test_zammad_signs_the_body_with_sha1_hex():
    sig = "sha1=" + hmac.new(b"tok", BODY, hashlib.sha1).hexdigest()
    assert rules.zammad_problem(secret="tok", body=BODY, headers={"X-Hub-Signature": sig}) is None
    assert rules.zammad_problem(secret="tok", body=BODY + b" ", headers={"X-Hub-Signature": sig})


def test_an_empty_secret_verifies_nothing():
    assert rules.signature_problem(
        "freshdesk", secret="", body=BODY, headers={"X-Andon-Token": ""}, now=NOW
    )


def test_plain_text_keeps_words_and_line_breaks_only():
    assert rules.plain_text("<p>a &amp; b</p><p>c<br>d</p>") == "a & b\nc\nd"
    assert rules.plain_text("  no markup  ") == "no markup"


def test_zendesk_custom_fields_come_as_a_list_or_from_a_changed_field_event():
    ticket = rules.ticket_of(
        "zendesk",
        {
            "id": "ev1",
            "type": "zen:event-type:ticket.custom_field_changed",
            "detail": {"id": "9", "subject": "s", "description": "d"},
            "event": {"current": "order-a", "previous": None, "custom_field": {"id": 77}},
        },
        {},
        b"",
    )
    assert ticket.event_id == "ev1" and ticket.fields["77"] == "order-a"


def test_mapping_ignores_tickets_without_order_and_needs_a_reason():
    fmap = rules.FieldMap("order", "", "why", {"bent": "damaged"}, "")
    t = rules.Ticket("1", "e", "t", "words", {"why": "bent"})
    assert rules.mapped(t, fmap) is None
    t2 = rules.Ticket("1", "e", "t", "words", {"order": "o-1", "why": "bent"})
    assert rules.mapped(t2, fmap) == rules.Mapped("o-1", None, "damaged", "words")
    with pytest.raises(rules.MappingProblem):
        rules.mapped(rules.Ticket("1", "e", "t", "w", {"order": "o-1"}), fmap)
    with_default = rules.FieldMap("order", "", "why", {}, "wrong-item")
    assert rules.mapped(rules.Ticket("1", "e", "t", "w", {"order": "o"}), with_default).reason
