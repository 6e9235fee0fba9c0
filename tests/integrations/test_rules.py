"""Delivery rules, without a database."""

import datetime as dt

from standardwebhooks import Webhook

from andon.integrations import rules
from andon.integrations.relay import Claim, signature_headers


def test_an_empty_filter_takes_every_event_and_a_family_filter_takes_its_family():
    assert rules.event_matches("andon.pulled", [])
    assert rules.event_matches("listing.relisted", ["listing.*"])
    assert not rules.event_matches("andon.pulled", ["listing.*"])
    assert rules.event_matches("hold.placed", ["hold.placed", "listing.*"])


def test_backoff_doubles_from_the_first_delay_with_jitter_and_is_capped_at_an_hour():
    assert rules.backoff_delay(1, 0.0) == dt.timedelta(seconds=2.5)
    assert rules.backoff_delay(1, 0.999) < dt.timedelta(seconds=5)
    assert rules.backoff_delay(3, 0.0) == dt.timedelta(seconds=10)
    assert rules.backoff_delay(50, 0.999) <= rules.MAX_DELAY
    assert rules.backoff_delay(50, 0.0) == rules.MAX_DELAY / 2


def test_retries_go_on_for_at_least_24_hours_then_dead_letter():
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    now, attempts = start, 0
    while not rules.should_dead_letter(start, now):
        attempts += 1
        now += rules.backoff_delay(attempts, 0.5)
    assert now - start >= dt.timedelta(hours=24)
    assert 20 < attempts < 60


def test_during_a_rotation_both_secrets_sign_and_either_verifies():
    now = dt.datetime.now(dt.UTC)
    old, new = rules.new_secret(), rules.new_secret()
    assert new.startswith("whsec_") and old != new
    keys = rules.signing_secrets(new, old, now + dt.timedelta(hours=1), now)
    assert keys == [new, old]
    assert rules.signing_secrets(new, old, now - dt.timedelta(seconds=1), now) == [new]
    claim = Claim(
        delivery_id=1,
        token="t",
        attempts=0,
        created_at=now,
        endpoint_id=1,
        url="http://127.0.0.1/",
        secrets=keys,
        msg_id="msg_1",
        body='{"a":1}',
    )
    # A non-UTC aware datetime must sign the same instant (STACK.md's trap).
    shanghai = now.astimezone(dt.timezone(dt.timedelta(hours=8)))
    headers = signature_headers(claim, shanghai)
    assert Webhook(old).verify('{"a":1}', headers) == {"a": 1}
    assert Webhook(new).verify('{"a":1}', headers) == {"a": 1}
