"""The watch of a staged relist, on the contact side: a complaint on the same problem while a
product sells under a cap suppresses it again at once, in the contact's own transaction, and
reopens the andon whose fix was watched (its history kept, its work orders worked again).
Nobody pulls: the customer's voice is enough, since the andon was already proven once.

"The same problem": the contact's reason is the andon's reason, or detection put the contact
in the andon's problem. The end of a quiet watch is catalog.watch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from andon.catalog.locks import listing_lock
from andon.catalog.models import ListingStatus, Product
from andon.catalog.services import listing_suppress
from andon.contacts.models import Contact
from andon.core.services import Audit, Event, audit_record, outbox_emit
from andon.detection.services import Intake, contact_intake
from andon.holds.services import holds_place_missing
from andon.workorders.services import work_orders_reopen_after_watch

from .models import Andon, AndonEvidence, AndonState


def contact_intake_watched(*, actor: User, savepoint: bool = True, **fields: Any) -> Intake:
    """Detection's intake (`contact_intake`), then the watch, in one transaction: what the
    console, the API and the helpdesk webhooks call to record a contact.

    Inside a larger block, its own savepoint by default (two statements a contact): whoever
    catches a failure of the watch there must find the contact rolled back with it.
    `savepoint=False` for a caller whose enclosing block never commits after a failure: the
    API's, the idempotency claim's transaction, which rolls back every answer but a 2xx
    (and Django marks a block whose inner block failed without a savepoint for rollback:
    it cannot commit the contact without its watch either way)."""
    with transaction.atomic(savepoint=savepoint):
        intake = contact_intake(actor=actor, **fields)
        problem_id = intake.assignment.problem_id if intake.assignment else None
        watch_contact(contact=intake.contact, problem_id=problem_id, actor=actor)
    return intake


def watch_contact(*, contact: Contact, problem_id: int | None, actor: User | None) -> bool:
    """Suppress again and reopen the watched andon if this contact is a complaint on its
    problem during the watch. Returns whether it did. No query unless the product is limited
    (the contact's line arrives with its product)."""
    product = contact.order_line.product
    if product.listing_status != ListingStatus.LIMITED:
        return False
    product = listing_lock(product_id=product.pk)
    at = contact.created_at
    if (
        product.listing_status != ListingStatus.LIMITED
        or product.listing_until is None
        or at > product.listing_until
        or product.listing_watch_andon_id is None
    ):
        return False
    andon = Andon.objects.filter(pk=product.listing_watch_andon_id).first()
    if andon is None or not (
        contact.reason_id == andon.reason_id
        or (problem_id is not None and problem_id == andon.problem_id)
    ):
        return False
    _resuppress(product, andon, contact, actor.pk if actor else None, at=at)
    return True


def watch_contacts_imported(*, external_ids: Iterable[str], actor_id: int | None) -> int:
    """The watch for contacts a bulk import wrote (call it in the chunk's transaction, after
    its upsert): one query finds, among them, complaints on a limited product's watched reason
    recorded during its watch (from the staged relist to its end); each such product is
    suppressed again and its andon reopened, as for a contact recorded live (its earliest
    complaint is the evidence). Detection assigns imported contacts to problems after the
    chunks, so here "the same problem" is the andon's reason. Returns the products stopped."""
    ids = [e for e in dict.fromkeys(external_ids) if e]
    if not ids:
        return 0
    watched = Andon.objects.filter(
        pk=OuterRef("product__listing_watch_andon_id"), reason_id=OuterRef("reason_id")
    )
    hits = list(
        Contact.objects.filter(
            external_id__in=ids,
            product__listing_status=ListingStatus.LIMITED,
            created_at__gte=F("product__listing_changed_at"),
            created_at__lte=F("product__listing_until"),
        )
        .filter(Exists(watched))
        .order_by("product_id", "created_at", "pk")
        .values_list("product_id", "pk")
    )
    first: dict[int, int] = {}
    for product_id, contact_id in hits:
        first.setdefault(product_id, contact_id)
    stopped = 0
    now = timezone.now()
    for product_id, contact_id in sorted(first.items()):
        product = listing_lock(product_id=product_id)
        contact = Contact.objects.get(pk=contact_id)
        watched_id = product.listing_watch_andon_id
        andon = (
            Andon.objects.filter(pk=watched_id).first()
            if product.listing_status == ListingStatus.LIMITED and watched_id is not None
            else None
        )
        if andon is None:
            continue
        _resuppress(product, andon, contact, actor_id, at=now)
        stopped += 1
    return stopped


def _resuppress(
    product: Product, andon: Andon, contact: Contact, actor_id: int | None, *, at: dt.datetime
) -> None:
    max_units, until = product.listing_max_units, product.listing_until
    listing_suppress(product=product, at=at)
    Andon.objects.filter(pk=andon.pk).update(state=AndonState.OPEN, closed_at=None)
    AndonEvidence.objects.bulk_create(
        [AndonEvidence(andon=andon, contact=contact)], ignore_conflicts=True
    )
    reason = _("A complaint on the same problem during the staged relist's watch.")
    wo_audit, wo_events = work_orders_reopen_after_watch(andon_id=andon.pk, reason=reason, at=at)
    data = {
        "contact": contact.pk,
        "max_units": max_units,
        "until": until.isoformat() if until else None,
        "work_orders": len(wo_audit),
    }
    # The stop-sell first in the product's sequence, as at a pull.
    outbox_emit(
        at=at,
        events=[
            Event(
                "listing.suppressed",
                {"sku": product.sku, "listing_status": product.listing_status},
                product_sku=product.sku,
            ),
            Event(
                "andon.reopened",
                {"andon_id": andon.pk, "sku": product.sku, **data},
                product_sku=product.sku,
            ),
            *wo_events,
        ],
    )
    audit_record(
        actor_id=actor_id,
        at=at,
        entries=[
            Audit("andon.reopened", "andon", andon.pk, andon.pk, data),
            Audit("listing.suppressed", "product", product.sku, andon.pk),
            *wo_audit,
        ],
    )
    # What is in stock and packed now is held again by the reopened andon, as at a pull: two
    # INSERT ... SELECT under the product's lock, in the contact's transaction (the holds its
    # relist released stay released, in the history).
    stock_rows, lines = holds_place_missing(andon_id=andon.pk, product_id=product.pk, at=at)
    if not (stock_rows or lines):
        return
    held = {"stock_rows": stock_rows, "order_lines": lines, "reopened": True}
    outbox_emit(
        at=at,
        events=[
            Event(
                "hold.placed",
                {"andon_id": andon.pk, "sku": product.sku, **held},
                product_sku=product.sku,
            )
        ],
    )
    audit_record(
        actor_id=actor_id,
        at=at,
        entries=[Audit("holds.placed", "andon", andon.pk, andon.pk, held)],
    )
