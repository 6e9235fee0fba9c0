"""Giving service recovery. One transaction per action: the recovery row, its audit entry and
its outbox event (so that a storefront or ERP can ship, refund or issue the coupon).

Contract: never waits for anyone. Above the role's guide the only extra is one line of reason
(SPEC: "Service recovery empowerment", "No bureaucracy"). Takes no locks: recovery rows are
append-only and independent of each other.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from andon.contacts.models import Contact
from andon.core.errors import Forbidden, NotFound
from andon.core.services import Audit, Event, audit_record, outbox_emit
from andon.membership.services import membership_from_recovery
from andon.people.rules import may_give_recovery
from andon.people.selectors import roles_of, team_of

from . import rules
from .defaults import CATALOGUE
from .models import GuideLimit, RecoveryAction, RecoveryGiven
from .selectors import action_get, guide_limits


class ContactNotFound(NotFound):
    code = "contact-not-found"


@transaction.atomic
def recovery_give(
    *,
    actor: User,
    contact_id: int,
    action: str,
    cost: Decimal | None = None,
    note: str | None = None,
    reason_above_guide: str = "",
) -> RecoveryGiven:
    """Give one catalogue action to the customer of a contact. `cost` defaults to the action's
    default cost, or the product's price for a replacement or a refund."""
    r = roles_of(actor)
    if not may_give_recovery(r):
        raise Forbidden(_("Only agents and team leads give service recovery."))
    contact = Contact.objects.select_related("product", "customer").filter(pk=contact_id).first()
    if contact is None:
        raise ContactNotFound(_("No contact %(id)s.") % {"id": contact_id}, field="contact")
    entry = action_get(code=action)
    if cost is None:
        cost = entry.default_cost if entry.default_cost is not None else contact.product.price
    cost = rules.check_cost(Decimal(cost))
    note = rules.one_line(entry.default_note if note is None else note, "note")
    guide = rules.guide_for(r, guide_limits(action_ids=[entry.pk]).get(entry.pk, {}))
    unusual = rules.is_unusual(cost, guide)
    reason = rules.check_reason(unusual=unusual, reason=reason_above_guide)
    now = timezone.now()
    team = team_of(actor.pk)
    given = RecoveryGiven.objects.create(
        contact=contact,
        customer=contact.customer,
        action=entry,
        cost=cost,
        note=note,
        reason_above_guide=reason,
        above_guide=unusual,
        agent=actor,
        team=team,
        given_at=now,
    )
    data = {
        "action": entry.code,
        "kind": entry.kind,
        "cost": str(cost),
        "note": note,
        "above_guide": unusual,
        "reason_above_guide": reason,
        "customer": contact.customer.external_id,
        "sku": contact.product.sku,
    }
    audit_record(
        actor_id=actor.pk,
        at=now,
        entries=[
            Audit("recovery.given", "contact", contact.pk, data=data),
        ],
    )
    outbox_emit(
        at=now,
        events=[
            Event(
                "recovery.given",
                {
                    "recovery_id": given.pk,
                    "contact_id": contact.pk,
                    "agent": actor.get_username(),
                    **data,
                },
            )
        ],
    )
    if entry.kind == rules.Kind.MEMBERSHIP:
        # The gesture becomes a real trial of the configured plan, in this transaction.
        membership_from_recovery(
            actor=actor,
            customer=contact.customer,
            action_code=entry.code,
            recovery_id=given.pk,
            at=now,
        )
    return given


@transaction.atomic
def catalogue_ensure_defaults() -> int:
    """Create the default catalogue entries and guides that are missing (after a flush, in a
    fresh demo); never changes what an admin configured. Returns how many actions it made."""
    made = 0
    for pos, (code, kind, zh, en, cost, nzh, nen, agent, lead) in enumerate(CATALOGUE):
        entry, created = RecoveryAction.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "label_zh": zh,
                "label_en": en,
                "default_cost": cost,
                "note_zh": nzh,
                "note_en": nen,
                "position": pos,
            },
        )
        made += created
        for role, limit in (("agent", agent), ("team_lead", lead)):
            if limit is not None and created:
                GuideLimit.objects.get_or_create(
                    role=role, action=entry, defaults={"max_cost": limit}
                )
    return made
