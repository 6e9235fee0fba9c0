"""Recording a contact. Never refused for policy reasons: the voice of the customer is always
kept, whether or not it makes a pull eligible (SPEC: "the contact is still recorded")."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from andon.core.errors import InvalidInput
from andon.core.services import Audit, Event, audit_and_outbox
from andon.core.sql import insert_one
from andon.orders.models import OrderLine
from andon.people import rules as people_rules
from andon.people.selectors import actor_require

from . import rules
from .errors import CustomerMismatch
from .models import Channel, Contact, ReasonCode
from .selectors import line_and_reason, reason_get

TEXT_MAX = 4000


def contact_record(
    *,
    actor: User,
    customer: str,
    order: str,
    line_no: int,
    reason: str,
    text: str,
    channel: str = Channel.PHONE,
    handling_seconds: int | None = None,
    at: dt.datetime | None = None,
    external_id: str | None = None,
) -> Contact:
    """`at`: when the customer called, now by default (an import or the demo's history record
    the past). `external_id`: the helpdesk's ticket, for contacts that come in by webhook."""
    actor_require(
        actor, people_rules.may_record_contact, _("Only agents and team leads record contacts.")
    )
    if (problem := rules.text_problem(text)) is not None:
        raise InvalidInput(problem, field="text")
    if len(text) > TEXT_MAX:
        raise InvalidInput(
            _("At most %(max)d characters (this one has %(n)d).")
            % {"max": TEXT_MAX, "n": len(text)},
            field="text",
        )
    # One read for the line, its order, customer and product, and the active reason.
    line, reason_code = line_and_reason(order=order, line_no=line_no, reason=reason)
    if line.order.customer.external_id != customer:
        raise CustomerMismatch(
            _("Order “%(order)s” belongs to another customer than “%(customer)s”.")
            % {"order": order, "customer": customer},
            field="customer",
        )
    if reason_code is None:
        reason_get(code=reason)  # raises UnknownReason, the same refusal as everywhere
    assert reason_code is not None
    now = at or timezone.now()
    # Reads above, writes below: no savepoint of its own. Every caller runs it inside an
    # atomic block that rolls back to its own savepoint on failure (the watch's
    # contact_intake_watched), is the whole transaction, or is inside one that rolls back
    # whatever fails (the API's), so a failed write never leaves half a contact.
    with transaction.atomic(savepoint=False):
        return _contact_write(
            actor=actor,
            line=line,
            reason=reason_code,
            customer=customer,
            order=order,
            line_no=line_no,
            text=text,
            channel=channel,
            handling_seconds=handling_seconds,
            now=now,
            external_id=external_id,
        )


def _contact_write(
    *,
    actor: User,
    line: OrderLine,
    reason: ReasonCode,
    customer: str,
    order: str,
    line_no: int,
    text: str,
    channel: str,
    handling_seconds: int | None,
    now: dt.datetime,
    external_id: str | None,
) -> Contact:
    # Hand-written INSERT (the ORM's compiler cost more CPU than the row's write).
    contact = Contact(
        created_at=now,
        external_id=external_id,
        customer=line.order.customer,
        order_line=line,
        product=line.product,
        reason=reason,
        text=text,
        channel=channel,
        handling_seconds=handling_seconds,
        agent=actor,
    )
    insert_one(contact)
    # Audit and outbox in one statement on PostgreSQL.
    audit_and_outbox(
        actor_id=actor.pk,
        at=now,
        entries=[
            Audit(
                "contact.created",
                "contact",
                contact.pk,
                data={"sku": line.product.sku, "reason": reason.code, "customer": customer},
            ),
        ],
        events=[
            Event(
                "contact.created",
                {
                    "contact_id": contact.pk,
                    "sku": line.product.sku,
                    "reason": reason.code,
                    "customer": customer,
                    "order": order,
                    "line_no": line_no,
                },
            )
        ],
    )
    return contact
