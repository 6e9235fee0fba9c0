"""From the outbox to the receivers: relay (outbox rows -> delivery rows), claim, sign, POST,
record. At-least-once: a worker killed at any point loses nothing, because every step's
state is in the database and a claim is only a lease.

Concurrency contract:
- relay: the relay's place in the outbox (core.OutboxPlace "relay") moves from where it was
  read, first, in the transaction that writes the delivery rows: of two relayers that read
  the same events one moves it and relays them, the other finds its place gone and relays
  nothing (PostgreSQL: SKIP LOCKED, no waiting; SQLite's write lock serialises); a unique
  (endpoint, event) makes re-relaying harmless all the same.
- deliver: due deliveries are claimed in a short transaction (FOR UPDATE SKIP LOCKED on
  PostgreSQL) by pushing `next_attempt_at` a lease ahead and stamping a lease token; the
  POST runs outside any transaction; its result is recorded only if the token still holds.
  Two workers therefore never send the same delivery at the same time, and no database
  lock is held while waiting on a receiver.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from standardwebhooks import Webhook

from andon.core.models import OutboxEvent
from andon.core.selectors import outbox_events_past
from andon.core.services import outbox_place_move

from . import rules
from .addresses import url_address_problem
from .conf import DeliveryConf, allow_private_networks, delivery_conf
from .models import Delivery, DeliveryAttempt, DeliveryState, WebhookEndpoint
from .selectors import RELAY_PLACE

RELAY_BATCH = 1000
USER_AGENT = "Andon-Webhooks/1"


def relay_pass(*, now: dt.datetime | None = None, limit: int = RELAY_BATCH) -> int:
    """Turn outbox events up to the safe horizon into deliveries for the active endpoints
    whose filter matches (and that existed when the event happened). Returns the number of
    events relayed."""
    now = now or timezone.now()
    read = outbox_events_past(RELAY_PLACE, fields=("event_type", "occurred_at"), limit=limit)
    if read is None:
        return 0
    with transaction.atomic():
        if not outbox_place_move(read):  # another worker relays these events
            return 0
        endpoints = list(
            WebhookEndpoint.objects.filter(active=True).values("id", "event_types", "created_at")
        )
        rows = [
            Delivery(
                endpoint_id=ep["id"],
                event_id=event_id,
                created_at=now,
                retrying_since=now,
                next_attempt_at=now,
            )
            for event_id, event_type, occurred_at in read.events
            for ep in endpoints
            if occurred_at >= ep["created_at"]
            and rules.event_matches(event_type, ep["event_types"])
        ]
        Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(read.events)


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    token: str
    attempts: int
    created_at: dt.datetime
    endpoint_id: int
    url: str
    secrets: list[str]
    msg_id: str
    body: str


def event_body(event: OutboxEvent) -> str:
    """The JSON a receiver gets: Standard Webhooks' {type, timestamp, data} plus the SKU and
    its sequence at the top level, so that a storefront orders listing events cheaply."""
    return json.dumps(
        {
            "id": rules.message_id(event.pk),
            "type": event.event_type,
            "timestamp": event.occurred_at.astimezone(dt.UTC).isoformat(),
            "sku": event.product_sku or None,
            "sequence": event.product_sequence,
            "data": event.payload,
        },
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


def deliveries_claim(*, limit: int, now: dt.datetime, conf: DeliveryConf) -> list[Claim]:
    """Lease up to `limit` due deliveries to this worker (see the module's contract)."""
    token = secrets.token_hex(8)
    with transaction.atomic():
        qs = Delivery.objects.filter(
            state=DeliveryState.PENDING, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "id")
        if connection.vendor == "postgresql":
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        Delivery.objects.filter(id__in=ids).update(
            next_attempt_at=now + conf.lease, lease_token=token
        )
        rows = list(
            Delivery.objects.filter(id__in=ids).select_related("event", "endpoint").order_by("id")
        )
    return [
        Claim(
            delivery_id=d.pk,
            token=token,
            attempts=d.attempts,
            created_at=d.retrying_since,
            endpoint_id=d.endpoint_id,
            url=d.endpoint.url,
            secrets=rules.signing_secrets(
                d.endpoint.secret,
                d.endpoint.previous_secret,
                d.endpoint.previous_secret_expires_at,
                now,
            ),
            msg_id=rules.message_id(d.event_id),
            body=event_body(d.event),
        )
        for d in rows
    ]


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str
    duration_ms: int


def signature_headers(claim: Claim, at: dt.datetime) -> dict[str, str]:
    """Standard Webhooks headers. Signed with a UTC datetime: the library reads the wall time
    as UTC, so an aware non-UTC datetime would sign the wrong timestamp."""
    at = at.astimezone(dt.UTC)
    signatures = " ".join(
        Webhook(s).sign(msg_id=claim.msg_id, timestamp=at, data=claim.body) for s in claim.secrets
    )
    return {
        "webhook-id": claim.msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signatures,
    }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx is a failed attempt: following it would turn the POST into a GET without the
    event (urllib's behaviour), or lead to an address the endpoint check never saw."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def delivery_post(claim: Claim, *, timeout: float) -> Outcome:
    """One POST; never raises: a refused connection is an outcome like a 500."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signature_headers(claim, dt.datetime.now(dt.UTC)),
    }
    request = urllib.request.Request(
        claim.url, data=claim.body.encode(), headers=headers, method="POST"
    )
    started = time.monotonic()
    status, error = None, ""
    if not allow_private_networks() and (problem := url_address_problem(claim.url)):
        return Outcome(None, (gettext("not sent: %(problem)s") % {"problem": problem})[:500], 0)
    try:
        with _opener.open(request, timeout=timeout) as response:
            status = response.status
            response.read(1024)
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}: {exc.read(300).decode(errors='replace')}"
    except Exception as exc:  # any transport failure is a failed attempt, with its cause
        error = f"{type(exc).__name__}: {exc}"[:500]
    return Outcome(status, error, int((time.monotonic() - started) * 1000))


def attempt_record(
    claim: Claim, outcome: Outcome, *, now: dt.datetime, conf: DeliveryConf
) -> DeliveryState | None:
    """Record the attempt and the delivery's next state; a lease lost meanwhile (this worker
    was too slow and another one took over) records the attempt only."""
    attempts = claim.attempts + 1
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery_id=claim.delivery_id,
            attempted_at=now,
            status_code=outcome.status_code,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
        )
        if rules.is_success(outcome.status_code):
            state, changes = DeliveryState.DELIVERED, {"delivered_at": now, "last_error": ""}
        elif rules.should_dead_letter(claim.created_at, now, conf.retry_for):
            state, changes = DeliveryState.DEAD, {"last_error": outcome.error}
        else:
            delay = rules.backoff_delay(attempts, random.random(), conf.first_retry)
            state = DeliveryState.PENDING
            changes = {"next_attempt_at": now + delay, "last_error": outcome.error}
        updated = Delivery.objects.filter(pk=claim.delivery_id, lease_token=claim.token).update(
            state=state,
            attempts=F("attempts") + 1,
            last_status_code=outcome.status_code,
            lease_token="",
            **changes,
        )
        if updated and state == DeliveryState.DELIVERED and claim.attempts:
            # The receiver is back: its other waiting deliveries need not sit out their backoff.
            Delivery.objects.filter(
                endpoint_id=claim.endpoint_id,
                state=DeliveryState.PENDING,
                lease_token="",
                next_attempt_at__gt=now,
            ).update(next_attempt_at=now)
    return state if updated else None


def deliver_due(*, limit: int = 50, threads: int = 8, conf: DeliveryConf | None = None) -> int:
    """Claim, POST (in parallel: one slow receiver must not hold up the rest), record.
    Returns the number of attempts made."""
    conf = conf or delivery_conf()
    claims = deliveries_claim(limit=limit, now=timezone.now(), conf=conf)
    if not claims:
        return 0
    timeout = conf.timeout.total_seconds()
    if len(claims) == 1:
        outcomes = [delivery_post(claims[0], timeout=timeout)]
    else:
        with ThreadPoolExecutor(max_workers=min(threads, len(claims))) as pool:
            outcomes = list(pool.map(lambda c: delivery_post(c, timeout=timeout), claims))
    now = timezone.now()
    for claim, outcome in zip(claims, outcomes, strict=True):
        attempt_record(claim, outcome, now=now, conf=conf)
    return len(claims)


def next_due_in(now: dt.datetime | None = None) -> float | None:
    """Seconds until the next pending delivery is due (None: nothing pending)."""
    now = now or timezone.now()
    first = (
        Delivery.objects.filter(state=DeliveryState.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if first is None:
        return None
    return max((first - now).total_seconds(), 0.0)
