"""Pure decisions of inbound helpdesk webhooks: is the request the vendor's (each vendor's
documented scheme), what ticket does it carry, and what contact does the ticket name. No ORM.

Signatures:
- Zendesk: `X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(secret, timestamp + body)),
  the timestamp in `X-Zendesk-Webhook-Signature-Timestamp`; a timestamp further than
  ZENDESK_TOLERANCE from our clock is refused, so a captured request cannot be replayed later.
- Zammad: `X-Hub-Signature` = "sha1=" + hex HMAC-SHA1(secret, body).
- Freshdesk signs nothing: the shared secret comes in `X-Andon-Token` or as the password of
  HTTP basic auth (Freshdesk's webhook action "requires authentication").
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ZENDESK_TOLERANCE = dt.timedelta(minutes=15)
TOKEN_HEADER = "X-Andon-Token"
EVENT_ID_MAX = 200
TICKET_ID_MAX = 40


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _parse_time(raw: str) -> dt.datetime | None:
    try:
        if raw.isdigit():
            return dt.datetime.fromtimestamp(int(raw), tz=dt.UTC)
        parsed = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    return parsed if parsed.tzinfo is not None else None


def zendesk_problem(
    *, secret: str, body: bytes, headers: Mapping[str, str], now: dt.datetime
) -> str | None:
    """Why this request is not Zendesk's (None when it is)."""
    signature = headers.get("X-Zendesk-Webhook-Signature", "")
    timestamp = headers.get("X-Zendesk-Webhook-Signature-Timestamp", "")
    if not signature or not timestamp:
        return "missing X-Zendesk-Webhook-Signature or its timestamp"
    at = _parse_time(timestamp)
    if at is None:
        return "unreadable X-Zendesk-Webhook-Signature-Timestamp"
    if abs(now - at) > ZENDESK_TOLERANCE:
        return "X-Zendesk-Webhook-Signature-Timestamp is too far from now"
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    if not _same(base64.b64encode(digest).decode(), signature.strip()):
        return "X-Zendesk-Webhook-Signature does not match"
    return None


def zammad_problem(*, secret: str, body: bytes, headers: Mapping[str, str]) -> str | None:
    signature = headers.get("X-Hub-Signature", "").strip()
    if not signature:
        return "missing X-Hub-Signature"
    expected = "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
    if not _same(expected, signature.lower()):
        return "X-Hub-Signature does not match"
    return None


def _basic_password(authorization: str) -> str | None:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.partition(":")[2]


def freshdesk_problem(*, secret: str, headers: Mapping[str, str]) -> str | None:
    token = headers.get(TOKEN_HEADER, "")
    if token:
        return None if _same(token.strip(), secret) else f"{TOKEN_HEADER} does not match"
    password = _basic_password(headers.get("Authorization", ""))
    if password is None:
        return f"missing {TOKEN_HEADER} or basic authentication"
    return None if _same(password, secret) else "basic authentication does not match"


def signature_problem(
    vendor: str, *, secret: str, body: bytes, headers: Mapping[str, str], now: dt.datetime
) -> str | None:
    if not secret:
        return "the connection has no secret"
    if vendor == "zendesk":
        return zendesk_problem(secret=secret, body=body, headers=headers, now=now)
    if vendor == "zammad":
        return zammad_problem(secret=secret, body=body, headers=headers)
    if vendor == "freshdesk":
        return freshdesk_problem(secret=secret, headers=headers)
    return f"unknown helpdesk {vendor!r}"


# --- the ticket a payload carries ---------------------------------------------------------


@dataclass(frozen=True)
class Ticket:
    ticket_id: str
    event_id: str
    event_type: str
    text: str
    fields: dict[str, str]


class PayloadProblem(ValueError):
    """The body is no ticket event of this vendor; `field` names what is missing."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<\s*(br|/p|/div|/li)\b[^>]*>", re.IGNORECASE)


def plain_text(value: str) -> str:
    """Helpdesks send HTML descriptions: the customer's words without the markup."""
    if "<" not in value:
        return value.strip()
    text = _TAG.sub("", _BREAK.sub("\n", value))
    return "\n".join(line.strip() for line in html.unescape(text).splitlines() if line.strip())


def _scalar(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def _custom_fields(ticket: Mapping[str, Any]) -> dict[str, str]:
    """Custom fields as name -> value, from a ticket's own keys and its `custom_fields`
    (Zendesk: a list of {id, value}; Freshdesk: an object of cf_ names)."""
    out: dict[str, str] = {}
    for key, value in ticket.items():
        if (v := _scalar(value)) is not None:
            out[str(key)] = v
    custom = ticket.get("custom_fields")
    if isinstance(custom, dict):
        for key, value in custom.items():
            if (v := _scalar(value)) is not None:
                out[str(key)] = v
    elif isinstance(custom, list):
        for item in custom:
            if isinstance(item, dict) and (v := _scalar(item.get("value"))) is not None:
                out[str(item.get("id"))] = v
    return out


def _body_digest(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


def _zendesk(payload: dict[str, Any], headers: Mapping[str, str], body: bytes) -> Ticket:
    # An event subscription ("zen:event-type:ticket.created") carries the ticket in `detail`
    # and its own `id`; a trigger's webhook carries the JSON the admin wrote (our docs give it)
    # and Zendesk names each invocation in a header.
    detail = payload.get("detail")
    ticket = detail if isinstance(detail, dict) else payload.get("ticket", payload)
    if not isinstance(ticket, dict):
        raise PayloadProblem("`ticket` must be an object", "ticket")
    fields = _custom_fields(ticket)
    event = payload.get("event")
    changed = event.get("custom_field") if isinstance(event, dict) else None
    # ticket.custom_field_changed: the changed field's new value.
    if isinstance(changed, dict) and (v := _scalar(event.get("current"))) is not None:  # type: ignore[union-attr]
        fields[str(changed.get("id"))] = v
    event_id = (_scalar(payload.get("id")) if isinstance(detail, dict) else None) or headers.get(
        "X-Zendesk-Webhook-Invocation-Id", ""
    ).strip()
    subject = fields.get("subject", "")
    description = plain_text(fields.get("description", ""))
    return Ticket(
        ticket_id=_ticket_id(fields.get("id")),
        event_id=event_id or _body_digest(body),
        event_type=str(payload.get("type") or "trigger"),
        text=_join(subject, description),
        fields=fields,
    )


def _freshdesk(payload: dict[str, Any], headers: Mapping[str, str], body: bytes) -> Ticket:
    # "Simple" content sends {"freshdesk_webhook": {"ticket_id": ..., "ticket_cf_x": ...}};
    # an advanced JSON body written from our docs sends {"ticket": {...}}.
    simple = payload.get("freshdesk_webhook")
    if isinstance(simple, dict):
        ticket = {k.removeprefix("ticket_"): v for k, v in simple.items()}
    else:
        ticket = payload.get("ticket", payload)
    if not isinstance(ticket, dict):
        raise PayloadProblem("`ticket` must be an object", "ticket")
    fields = _custom_fields(ticket)
    # Freshdesk names no event: a retry sends the same bytes, so the body's digest names it,
    # unless the rule sends its own key.
    event_id = headers.get("Idempotency-Key", "").strip() or _body_digest(body)
    description = fields.get("description_text") or plain_text(fields.get("description", ""))
    return Ticket(
        ticket_id=_ticket_id(fields.get("id")),
        event_id=event_id,
        event_type=str(payload.get("event") or "automation"),
        text=_join(fields.get("subject", ""), description),
        fields=fields,
    )


def _zammad(payload: dict[str, Any], headers: Mapping[str, str], body: bytes) -> Ticket:
    ticket = payload.get("ticket")
    if not isinstance(ticket, dict):
        raise PayloadProblem("`ticket` must be an object", "ticket")
    fields = _custom_fields(ticket)
    article = payload.get("article")
    words = ""
    if isinstance(article, dict) and isinstance(article.get("body"), str):
        words = plain_text(article["body"])
    return Ticket(
        ticket_id=_ticket_id(fields.get("id")),
        event_id=headers.get("X-Zammad-Delivery", "").strip() or _body_digest(body),
        event_type=headers.get("X-Zammad-Trigger", "").strip()[:100] or "trigger",
        text=_join(fields.get("title", ""), words),
        fields=fields,
    )


def _ticket_id(raw: str | None) -> str:
    if not raw:
        raise PayloadProblem("the ticket has no id", "ticket.id")
    if len(raw) > TICKET_ID_MAX:
        raise PayloadProblem(f"the ticket id is longer than {TICKET_ID_MAX}", "ticket.id")
    return raw


def _join(subject: str, words: str) -> str:
    subject, words = subject.strip(), words.strip()
    if subject and words and not words.startswith(subject):
        return f"{subject}\n{words}"
    return words or subject


_READERS = {"zendesk": _zendesk, "freshdesk": _freshdesk, "zammad": _zammad}


def ticket_of(vendor: str, payload: Any, headers: Mapping[str, str], body: bytes) -> Ticket:
    if not isinstance(payload, dict):
        raise PayloadProblem("the body must be a JSON object", "body")
    ticket = _READERS[vendor](payload, headers, body)
    if len(ticket.event_id) > EVENT_ID_MAX:
        raise PayloadProblem(f"the event id is longer than {EVENT_ID_MAX}", "event_id")
    if any("\x00" in v for v in (ticket.text, *ticket.fields.values())):
        raise PayloadProblem("must not contain the NUL character (\\u0000)", "body")
    return ticket


# --- the contact a ticket names -----------------------------------------------------------


@dataclass(frozen=True)
class FieldMap:
    order_field: str
    line_field: str
    reason_field: str
    reason_map: dict[str, str]
    default_reason: str


@dataclass(frozen=True)
class Mapped:
    order: str
    line_no: int | None  # None: the ticket names no line (the order's only line is meant)
    reason: str
    text: str


class MappingProblem(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def mapped(ticket: Ticket, fmap: FieldMap) -> Mapped | None:
    """The contact the ticket names, or None when it names no order (most tickets are not
    about a product: they are ignored, not refused)."""
    order = ticket.fields.get(fmap.order_field)
    if not order:
        return None
    line_no = None
    if fmap.line_field and (raw := ticket.fields.get(fmap.line_field)):
        if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
            raise MappingProblem(f"the order line must be a number, not {raw!r}", fmap.line_field)
        line_no = int(raw)
    reason = _reason(ticket, fmap)
    if len(order) > 64:
        raise MappingProblem("the order number is longer than 64", fmap.order_field)
    return Mapped(order=order, line_no=line_no, reason=reason, text=ticket.text)


def _reason(ticket: Ticket, fmap: FieldMap) -> str:
    value = ticket.fields.get(fmap.reason_field) if fmap.reason_field else None
    if value is None:
        if fmap.default_reason:
            return fmap.default_reason
        raise MappingProblem("the ticket names no reason", fmap.reason_field or "reason")
    # A value the map does not know may be an Andon reason code already.
    return fmap.reason_map.get(value, value)


def external_id(connection_id: int, ticket_id: str) -> str:
    """The contact's external id: one contact per ticket, however many events it sends."""
    return f"hd{connection_id}:{ticket_id}"
