"""The cord from the ticket page, and Andon's signed webhooks."""

from __future__ import annotations

import json
import logging

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from helpdesk.models import Ticket
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from . import conf
from .client import AndonError
from .services import andon_noted, cord_pull, number, relist_noted

log = logging.getLogger("andon_helpdesk")
NOTE_MAX = 200


@staff_member_required
@require_POST
def pull(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=ticket_id)
    back = redirect("helpdesk:view", ticket_id=ticket.pk)
    note = " ".join(request.POST.get("note", "").split())[:NOTE_MAX]
    if not note:
        messages.error(request, "Andon: say in one line what is wrong before pulling the cord.")
        return back
    try:
        andon = cord_pull(ticket, request.user, note, request.POST.get("key", ""))
    except AndonError as e:
        messages.error(request, f"Andon did not pull the cord: {e.detail}")
        return back
    joined = " (joined the open andon)" if andon.get("joined") else ""
    messages.success(
        request,
        f"{number(andon['id'])}{joined}: {andon['sku']} is {andon['listing_status']}; "
        f"{len(andon['work_orders'])} work orders opened.",
    )
    return back


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    headers = {k.lower(): v for k, v in request.headers.items()}
    for secret in conf.secrets():
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
        kind, data = event.get("type"), event.get("data") or {}
        sku = event.get("sku") or data.get("sku")
    except (ValueError, AttributeError):
        return HttpResponse(status=400)
    if kind == "andon.pulled" and isinstance(data.get("andon_id"), int) and sku:
        andon_noted(
            andon_id=data["andon_id"], sku=sku, contacts=data.get("evidence_contacts") or []
        )
    elif kind == "listing.relisted" and sku:
        relist_noted(sku=sku)
    return HttpResponse(status=204)
