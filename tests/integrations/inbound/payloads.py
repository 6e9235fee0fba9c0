"""Ticket events as each vendor sends them, written from the vendors' public documentation
(Zendesk webhooks and event types, Freshdesk automation webhooks, Zammad's default webhook
payload), with the custom fields a retailer adds: order number, line, reason."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from typing import Any


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


# --- Zendesk -----------------------------------------------------------------------------
ZENDESK_ORDER_FIELD = "360011112222"
ZENDESK_REASON_FIELD = "360011113333"


def zendesk_trigger(ticket_id: int = 35436, order: str = "order-a", reason: str = "misprint"):
    """What a trigger's webhook sends with the JSON body from docs/connectors (placeholders
    such as {{ticket.id}} and {{ticket.ticket_field_360011112222}} already rendered)."""
    return {
        "ticket": {
            "id": str(ticket_id),
            "subject": "书页装订错误 Pages bound upside down",
            "description": "----------------------------------------------\n\n"
            "Alice, Dec 1, 2026, 09:12\n\n第 33 页到 48 页装反了。",
            "status": "New",
            "via": "Mail",
            "requester_email": "alice@example.com",
            "custom_fields": [
                {"id": int(ZENDESK_ORDER_FIELD), "value": order},
                {"id": int(ZENDESK_REASON_FIELD), "value": reason},
            ],
        }
    }


def zendesk_ticket_created(ticket_id: int = 5158) -> dict:
    """An event subscription's ticket.created (Zendesk "Ticket events" schema): the ticket in
    `detail`, the event's own `id`."""
    return {
        "account_id": 12514403,
        "detail": {
            "actor_id": "8447388090494",
            "assignee_id": "8447388090494",
            "brand_id": "8447346621310",
            "created_at": "2026-12-01T09:12:07Z",
            "description": "My printer is on fire!",
            "external_id": None,
            "form_id": "8646151517822",
            "group_id": "8447320466430",
            "id": str(ticket_id),
            "is_public": True,
            "organization_id": "8447346622462",
            "priority": "LOW",
            "requester_id": "8447388090494",
            "status": "OPEN",
            "subject": "Help, my printer is on fire!",
            "submitter_id": "8447388090494",
            "tags": ["printer"],
            "type": "TASK",
            "updated_at": "2026-12-01T09:12:07Z",
            "via": {"channel": "web_service"},
        },
        "event": {},
        "id": "cbe4028c-7239-495d-b020-f22348516046",
        "subject": f"zen:ticket:{ticket_id}",
        "time": "2026-12-01T09:12:07.672717030Z",
        "type": "zen:event-type:ticket.created",
        "zendesk_event_version": "2022-11-06",
    }


def zendesk_headers(secret: str, body: bytes, at: dt.datetime | None = None, **extra) -> dict:
    timestamp = (at or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return {
        "X-Zendesk-Webhook-Id": "01GXYZ",
        "X-Zendesk-Webhook-Invocation-Id": extra.pop("invocation", "8350205582"),
        "X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode(),
        "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
        **extra,
    }


# --- Freshdesk ---------------------------------------------------------------------------


def freshdesk_simple(ticket_id: int = 1042, order: str = "order-b", reason: str = "Misprint"):
    """An automation rule's webhook with "Simple" content and the chosen placeholders."""
    return {
        "freshdesk_webhook": {
            "ticket_id": ticket_id,
            "ticket_subject": "Book arrived with blank pages",
            "ticket_description": "<div>Pages 12-20 are <b>blank</b>.</div><div>Bob</div>",
            "ticket_status": "Open",
            "ticket_priority": "Low",
            "ticket_source": "Email",
            "ticket_url": f"https://shop.freshdesk.com/helpdesk/tickets/{ticket_id}",
            "ticket_cf_order_number": order,
            "ticket_cf_order_line": "1",
            "ticket_cf_complaint_reason": reason,
            "ticket_contact_email": "bob@example.com",
        }
    }


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# --- Zammad ------------------------------------------------------------------------------


def zammad_default(ticket_id: int = 57, order: str = "order-c", reason: str = "print-defect"):
    """Zammad's default webhook payload (ticket with its custom attributes, the article)."""
    return {
        "ticket": {
            "id": ticket_id,
            "number": "31057",
            "title": "印刷模糊",
            "group_id": 1,
            "state_id": 1,
            "priority_id": 2,
            "customer_id": 3,
            "article_count": 1,
            "article_ids": [104],
            "create_article_type": "email",
            "create_article_sender": "Customer",
            "created_at": "2026-12-01T09:30:35.282Z",
            "updated_at": "2026-12-01T09:30:35.282Z",
            "order_number": order,
            "complaint_reason": reason,
            "customer": {"id": 3, "email": "c@example.com", "firstname": "C"},
            "tags": [],
        },
        "article": {
            "id": 104,
            "ticket_id": ticket_id,
            "from": "c@example.com",
            "subject": "印刷模糊",
            "body": "<p>整本书印刷模糊，看不清字。</p>",
            "content_type": "text/html",
            "sender": "Customer",
            "type": "email",
            "internal": False,
        },
    }


def zammad_headers(secret: str, body: bytes, delivery: str = "9c0e3c3ef4a1f8e7") -> dict:
    return {
        "User-Agent": "Zammad User Agent",
        "X-Zammad-Trigger": "Andon: complaints",
        "X-Zammad-Delivery": delivery,
        "X-Hub-Signature": "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest(),
    }
