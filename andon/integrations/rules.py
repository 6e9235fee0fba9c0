"""Pure decisions of webhook delivery: which endpoint wants which event, when to retry, when
to give up. No ORM here."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from collections.abc import Sequence

# The first retry after a few seconds, doubling up to an hour between attempts; retries go on
# for at least RETRY_FOR, then the delivery is dead-lettered (replayable by hand).
FIRST_DELAY = dt.timedelta(seconds=5)
MAX_DELAY = dt.timedelta(hours=1)
RETRY_FOR = dt.timedelta(hours=24)


def event_matches(event_type: str, filters: Sequence[str]) -> bool:
    """An empty filter takes every event; `listing.*` takes the family; else exact names."""
    if not filters:
        return True
    for f in filters:
        if f == "*" or f == event_type:
            return True
        if f.endswith(".*") and event_type.startswith(f[:-1]):
            return True
    return False


def backoff_delay(attempts: int, rand: float, first: dt.timedelta = FIRST_DELAY) -> dt.timedelta:
    """Delay before attempt `attempts + 1`, after `attempts` failures (>= 1).

    Exponential (5 s, 10 s, 20 s, ... capped at 1 h) with "equal jitter": between half and
    all of the step, so that many deliveries failing together do not retry together, yet
    never sooner than half the step. `rand` is in [0, 1)."""
    step = min(first * (2 ** min(max(attempts - 1, 0), 30)), MAX_DELAY)
    return step / 2 + step / 2 * rand


def is_success(status_code: int | None) -> bool:
    return status_code is not None and 200 <= status_code < 300


def should_dead_letter(
    first_created: dt.datetime, now: dt.datetime, retry_for: dt.timedelta = RETRY_FOR
) -> bool:
    """Give up once retries have gone on for `retry_for` (the spec: at least 24 hours)."""
    return now - first_created >= retry_for


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def signing_secrets(
    current: str, previous: str, previous_expires_at: dt.datetime | None, now: dt.datetime
) -> list[str]:
    """The secrets that sign a message now: the current one, and during a rotation the
    previous one too, so that a receiver still configured with it keeps verifying."""
    out = [current]
    if previous and previous_expires_at is not None and now < previous_expires_at:
        out.append(previous)
    return out


def message_id(event_id: int) -> str:
    """The `webhook-id`: one per event, the same on every retry and replay, so that a
    receiver deduplicates by it."""
    return f"msg_{event_id}"
