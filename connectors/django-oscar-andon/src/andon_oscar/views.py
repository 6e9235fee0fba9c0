"""POST /andon/webhooks: Andon's signed events. 401 when the signature is wrong (Andon then
retries, and the listing feed catches up in any case); 204 otherwise."""

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
    if isinstance(sku, str) and ((applied and kind in LISTING_EVENTS) or kind in HOLD_EVENTS):
        # Andon placed (or finalized) its holds in the transaction of this listing change, or
        # held a line packed while the product is stopped (hold.placed).
        try:
            held, released = holds_sync(sku)
            log.info("andon holds of %s: %s held, %s released", sku, held, released)
        except Exception:  # never fail the webhook over it: the catch-up syncs holds too
            log.exception("andon holds of %s not synced", sku)
    log.info(
        "andon %s %s seq %s applied=%s",
        event.get("type"),
        event.get("sku"),
        event.get("sequence"),
        applied,
    )
    return HttpResponse(status=204)
