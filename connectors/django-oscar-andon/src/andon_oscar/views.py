"""POST /andon/webhooks: Andon's signed events. 401 when the signature is wrong (Andon then
retries, and the listing feed catches up in any case); 503 when the event applied but the
shop could not mirror Andon's holds (Andon delivers again); 204 otherwise."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from .picking import holds_sync
from .services import HOLD_EVENTS, LISTING_EVENTS, event_apply

log = logging.getLogger("andon_oscar")


def _secrets() -> list[str]:
    raw = getattr(settings, "ANDON_WEBHOOK_SECRETS", None) or [settings.ANDON_WEBHOOK_SECRET]
    return [s for s in raw if s]


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    headers = {k.lower(): v for k, v in request.headers.items()}
    for secret in _secrets():  # during a rotation the shop may know the old and the new
        try:
            Webhook(secret).verify(request.body, headers)
            break
        except WebhookVerificationError:
            continue
    else:
        log.warning(
            "andon webhook refused: bad signature (webhook-id %s)", headers.get("webhook-id")
        )
        return HttpResponse(status=401)
    try:
        event = json.loads(request.body)
    except ValueError:
        return HttpResponse(status=400)
    if not isinstance(event, dict):
        return HttpResponse(status=400)
    applied = event_apply(event, headers.get("webhook-id", ""))
    kind, sku = event.get("type"), event.get("sku")
    if isinstance(sku, str) and (kind in LISTING_EVENTS or kind in HOLD_EVENTS):
        # Andon placed (or finalized) its holds in the transaction of a listing change, or
        # held a line packed while the product is stopped (hold.placed). Synced on every
        # delivery, a replay too: the mirror is idempotent, and a replay is how a sync that
        # failed gets its second chance.
        try:
            held, released = holds_sync(sku)
            log.info("andon holds of %s: %s held, %s released", sku, held, released)
        except Exception:
            # The listing change is applied (a redelivery leaves it as it is); 503 makes
            # Andon deliver again, and that delivery syncs the holds.
            log.exception("andon holds of %s not synced: Andon will deliver again", sku)
            return HttpResponse(status=503)
    log.info(
        "andon %s %s seq %s applied=%s",
        event.get("type"),
        event.get("sku"),
        event.get("sequence"),
        applied,
    )
    return HttpResponse(status=204)
