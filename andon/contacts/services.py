"""Recording a contact. Never refused for policy reasons: the voice of the customer is always
kept, whether or not it makes a pull eligible (SPEC: "the contact is still recorded")."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from andon.core.errors import InvalidInput
from andon.core.services import Audit, Event, audit_record, outbox_emit
from andon.orders.selectors import order_line_get
from andon.people import rules as people_rules
from andon.people.selectors import actor_require

from . import rules
from .errors import CustomerMismatch
from .models import Channel, Contact
from .selectors import reason_get

TEXT_MAX = 4000


@transaction.atomic
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
    line = order_line_get(order=order, line_no=line_no, as_reference=True)
    if line.order.customer.external_id != customer:
        raise CustomerMismatch(
            _("Order “%(order)s” belongs to another customer than “%(customer)s”.")
            % {"order": order, "customer": customer},
            field="customer",
        )
    reason_code = reason_get(code=reason)
    now = at or timezone.now()
    contact = Contact.objects.create(
        created_at=now,
        external_id=external_id,
        customer_id=line.order.customer_id,
        order_line=line,
        product_id=line.product_id,
        reason=reason_code,
        text=text,
        channel=channel,
        handling_seconds=handling_seconds,
        agent=actor,
    )
    audit_record(
        actor_id=actor.pk,
        at=now,
        entries=[
            Audit(
                "contact.created",
                "contact",
                contact.pk,
                data={"sku": line.product.sku, "reason": reason, "customer": customer},
            ),
        ],
    )
    outbox_emit(
        at=now,
        events=[
            Event(
                "contact.created",
                {
                    "contact_id": contact.pk,
                    "sku": line.product.sku,
                    "reason": reason,
                    "customer": customer,
                    "order": order,
                    "line_no": line_no,
                },
            )
        ],
    )
    return contact
