"""From tickets to Andon and back. Every step is idempotent: a ticket becomes one contact
however often it is handled (the contact's id is kept, and the request carries an
Idempotency-Key made of the ticket's id), and a follow-up is added once per andon and once
per relist (a conditional UPDATE claims it)."""

from __future__ import annotations

import contextvars
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from helpdesk.models import FollowUp, Ticket

from . import conf
from .client import AndonError, call
from .models import AndonAgentToken, AndonTicket

log = logging.getLogger("andon_helpdesk")
TAG = re.compile(r"(?<![\w&])#([\w-]{2,50})")
MAX_ATTEMPTS = 20


def number(andon_id: int) -> str:
    return f"ANDON-{andon_id}"


def _custom_fields(ticket: Ticket) -> dict[str, str]:
    return {
        v.field.name: (v.value or "").strip()
        for v in ticket.ticketcustomfieldvalue_set.select_related("field")
    }


def _text(ticket: Ticket) -> str:
    return f"{ticket.title}\n{ticket.description or ''}"


def ticket_names(ticket: Ticket) -> dict[str, Any]:
    """The order, line, product and customer a ticket names: its custom fields first
    (ANDON_FIELDS), else ANDON_PATTERNS on the title and description."""
    custom, names = _custom_fields(ticket), {}
    text = _text(ticket)
    for key, field in conf.fields().items():
        value = custom.get(field, "")
        if not value and key in conf.patterns():
            m = conf.patterns()[key].search(text)
            value = m.group(1) if m else ""
        names[key] = value[:64]
    line = names.pop("line")
    names["line_no"] = int(line) if line.isdigit() and 0 < int(line) <= 10_000 else None
    return names


def ticket_tags(ticket: Ticket) -> list[str]:
    custom = _custom_fields(ticket).get("tags", "")
    tags = [t.strip().lstrip("#") for t in custom.split(",") if t.strip()]
    return [t.lower() for t in tags + TAG.findall(_text(ticket))]


def ticket_reason(ticket: Ticket) -> str:
    """The Andon reason code of a ticket: a mapped tag, else its queue's, else the default."""
    r = conf.reasons()
    for tag in ticket_tags(ticket):
        if tag in r["tags"]:
            return r["tags"][tag]
    return r["queues"].get(ticket.queue.slug) or r["default"] or ""


def agent_token(user: Any) -> str | None:
    if user is None or not getattr(user, "pk", None):
        return None
    row = AndonAgentToken.objects.filter(user_id=user.pk).first()
    return row.token if row else None


# Set while the connector writes a follow-up: django-helpdesk saves the ticket with it, which
# is not an edit to read again (signals.py), and reading it again would add the follow-up
# again before the first is saved.
_writing = contextvars.ContextVar("andon_helpdesk_writing", default=False)


def edit_wanted() -> bool:
    """Whether a ticket save now is someone's edit (not the connector's own follow-up)."""
    return not _writing.get()


def followup_add(ticket: Ticket, title: str, comment: str) -> None:
    """A private follow-up (agents see it, the customer is not mailed)."""
    token = _writing.set(True)
    try:
        FollowUp.objects.create(ticket=ticket, title=title[:200], comment=comment, public=False)
    finally:
        _writing.reset(token)


def contact_record(ticket: Ticket) -> AndonTicket:
    """Turn a ticket into an Andon contact, once. When the ticket names no order line or no
    reason maps, the link says so (`error`) and nothing is sent; when Andon does not answer,
    `andon_helpdesk_sync` retries."""
    names = ticket_names(ticket)
    link, _created = AndonTicket.objects.get_or_create(
        ticket=ticket,
        defaults={
            "order": names["order"],
            "line_no": names["line_no"],
            "sku": names["sku"],
            "customer": names["customer"],
            "reason": ticket_reason(ticket),
        },
    )
    if link.contact_id:
        return link
    if not link.order or not (link.line_no or link.sku):
        link.error = "The ticket names no order line (an order and a line or product)."
        link.save(update_fields=["error", "updated_at"])
        return link
    if not link.reason:
        link.error = "No Andon reason maps to the ticket's queue or tags (ANDON_REASONS)."
        link.save(update_fields=["error", "updated_at"])
        return link
    token = agent_token(ticket.assigned_to) or conf.token()
    link.attempts += 1
    try:
        if not link.customer or not link.line_no or not link.sku:
            order = call(token, "GET", f"/orders/{link.order}")
            link.customer = link.customer or order["customer"]
            line = next(
                (
                    ln
                    for ln in order["lines"]
                    if ln["line_no"] == link.line_no or (not link.line_no and ln["sku"] == link.sku)
                ),
                None,
            )
            if line is None:
                raise AndonError(422, f"order {link.order} has no such line")
            link.line_no, link.sku = line["line_no"], line["sku"]
        contact = call(
            token,
            "POST",
            "/contacts",
            {
                "customer": link.customer,
                "order": link.order,
                "line_no": link.line_no,
                "reason": link.reason,
                "text": _text(ticket).strip()[:4000],
                "channel": "email" if ticket.submitter_email else "phone",
            },
            idempotency_key=f"django-helpdesk:ticket:{ticket.pk}:contact",
        )
    except AndonError as e:
        link.error = e.detail[:500]
        link.save()
        log.warning("ticket %s: no Andon contact yet: %s", ticket.pk, e)
        return link
    link.contact_id, link.error = contact["id"], ""
    link.save()
    followup_add(
        ticket,
        f"Andon contact #{contact['id']} recorded",
        f"Order {link.order} line {link.line_no} ({link.sku}), reason {link.reason}. "
        + contact["eligibility"]["explanation"],
    )
    return link


def _named(ticket: Ticket) -> dict[str, Any]:
    return {**ticket_names(ticket), "reason": ticket_reason(ticket)}


def ticket_reread(ticket: Ticket) -> AndonTicket | None:
    """A ticket edited after it arrived (title, description, queue, custom fields: the
    staff's edit form, the REST API, the admin) is read again.

    Not yet a contact (it named no order line, no reason mapped, or Andon refused the line):
    when it now names something else, the link takes the new names and the contact is
    recorded with the ticket's current text. Already a contact: Andon's contacts are records
    of what a customer reported (evidence of andons, counted by eligibility) and are never
    edited, so nothing is sent; when the ticket now names another order line, a private
    follow-up says so, once per line named, for the agent to record it in Andon by hand."""
    link = AndonTicket.objects.filter(ticket=ticket).first()
    if link is None:  # not handled yet: the new-ticket signal or the sync records it
        return None
    named = _named(ticket)
    if not link.contact_id:
        # (the values a failed attempt filled from Andon's order, which the ticket did not
        # name, are no change)
        changed = (named["order"], named["reason"]) != (link.order, link.reason) or any(
            named[f] and named[f] != getattr(link, f) for f in ("line_no", "sku", "customer")
        )
        if not changed:
            return link
        for f in ("order", "line_no", "sku", "customer", "reason"):
            setattr(link, f, named[f])
        link.error, link.attempts = "", 0
        link.save()
        return contact_record(ticket)
    moved = named["order"] and (
        named["order"] != link.order
        or (named["line_no"] and named["line_no"] != link.line_no)
        or (named["sku"] and named["sku"] != link.sku)
    )
    if moved:
        where = f"order {named['order']} line {named['line_no'] or named['sku']}"
        title = f"Andon contact #{link.contact_id} stays on order {link.order} line {link.line_no}"
        title = f"{title}; the ticket now names {where}"
        if not FollowUp.objects.filter(ticket=ticket, title=title[:200]).exists():
            followup_add(
                ticket,
                title,
                f"Andon keeps contact #{link.contact_id} as it was recorded (order {link.order}"
                f" line {link.line_no}, {link.sku}): contacts are evidence and are not edited. "
                f"If the customer meant {where}, record that contact in Andon.",
            )
    return link


def andon_noted(*, andon_id: int, sku: str, contacts: list[int] = ()) -> int:
    """Tell the tickets of a pulled product (its evidence, and every ticket on the SKU) the
    andon's number, once each. Returns how many tickets were told."""
    told = 0
    for link in AndonTicket.objects.filter(
        Q(contact_id__in=list(contacts)) | Q(sku=sku, contact_id__isnull=False)
    ).select_related("ticket"):
        with transaction.atomic():
            claimed = (
                AndonTicket.objects.filter(pk=link.pk)
                .exclude(andon_id=andon_id)
                .update(andon_id=andon_id, relisted=False)
            )
            if claimed:
                followup_add(
                    link.ticket,
                    f"{number(andon_id)}: the cord was pulled for {sku}",
                    f"Andon stopped selling {sku} ({number(andon_id)}); the departments "
                    "investigate. This ticket will hear when the product sells again.",
                )
                told += 1
    return told


def relist_noted(*, sku: str) -> int:
    """The product sells again: tell each ticket that knew its andon, once."""
    told = 0
    for link in AndonTicket.objects.filter(
        sku=sku, andon_id__isnull=False, relisted=False
    ).select_related("ticket"):
        with transaction.atomic():
            if AndonTicket.objects.filter(pk=link.pk, relisted=False).update(relisted=True):
                followup_add(
                    link.ticket,
                    f"{number(link.andon_id)}: {sku} sells again",
                    f"The departments fixed the cause of {number(link.andon_id)} and a "
                    f"confirmer confirmed it: {sku} is on sale again.",
                )
                told += 1
    return told


@dataclass
class Panel:
    link: AndonTicket | None
    words: str
    eligible: bool = False
    can_pull: bool = False
    open_andon: int | None = None
    problem: str = ""


def panel_for(ticket: Ticket, user: Any) -> Panel:
    """What the ticket page's Andon panel says: in words, never a bare status code."""
    link = AndonTicket.objects.filter(ticket=ticket).first()
    if link is None:
        return Panel(None, "Andon has not seen this ticket yet.")
    if not link.contact_id:
        return Panel(link, f"Not an Andon contact yet: {link.error or 'waiting'}")
    token = agent_token(user)
    try:
        elig = call(
            token or conf.token(),
            "GET",
            f"/products/{link.sku}/eligibility",
            query={"reason": link.reason},
        )
        open_ = call(
            token or conf.token(), "GET", "/andons", query={"sku": link.sku, "state": "open"}
        )
    except AndonError as e:
        return Panel(link, f"Andon did not answer: {e.detail}", problem="down")
    p = Panel(link, elig["explanation"], eligible=elig["eligible"])
    if open_:
        p.open_andon = open_[0]["id"]
        p.words = f"{number(p.open_andon)} is open: {link.sku} is not on sale. " + p.words
    if token is None:
        p.problem = "no-token"
    p.can_pull = token is not None
    return p


def cord_pull(ticket: Ticket, user: Any, note: str, key: str) -> dict:
    """Pull the cord as the agent (their own Andon token). Raises AndonError with Andon's
    explanation when it refuses (not eligible, no right)."""
    link = AndonTicket.objects.get(ticket=ticket, contact_id__isnull=False)
    token = agent_token(user)
    if token is None:
        raise AndonError(403, "You have no Andon token (ask an admin to add one).")
    andon = call(
        token,
        "POST",
        "/andons",
        {"sku": link.sku, "reason": link.reason, "note": note},
        idempotency_key=f"django-helpdesk:ticket:{ticket.pk}:pull:{key}"[:200],
    )
    andon_noted(andon_id=andon["id"], sku=link.sku, contacts=[link.contact_id])
    return andon


def andons_poll() -> tuple[int, int]:
    """Without webhooks: numbers of open andons for tickets that have none, and relists of
    the andons tickets know. Returns (noted, relisted)."""
    noted = relisted = 0
    for sku in set(
        AndonTicket.objects.filter(contact_id__isnull=False, andon_id__isnull=True).values_list(
            "sku", flat=True
        )
    ):
        for a in call(conf.token(), "GET", "/andons", query={"sku": sku, "state": "open"}):
            noted += andon_noted(andon_id=a["id"], sku=sku)
    for andon_id, sku in set(
        AndonTicket.objects.filter(andon_id__isnull=False, relisted=False).values_list(
            "andon_id", "sku"
        )
    ):
        a = call(conf.token(), "GET", f"/andons/{andon_id}")
        if a["state"] == "closed" and a["listing_status"] == "active":
            relisted += relist_noted(sku=sku)
    return noted, relisted
