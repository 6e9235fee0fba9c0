"""Settling products soon after their contacts arrive: the order-independent re-grouping
(regroup.py) run where groupings are produced, so that a product's problems are the
re-grouped ones without anyone running `andon detection regroup`.

- An import: once its contacts are assigned, each product it touched is re-grouped once
  (services.contacts_assign_imported).
- The intake: not in the request (a contact's budget is 20 ms). The delivery worker
  (integrations/worker.py) calls `outbox_settle` after the relay: detection keeps its own
  place in the outbox (core.OutboxPlace "detection"), reads the `contact.created` events
  past it up to the safe horizon (core.selectors.outbox_events_past: no event below it can
  still appear), assigns those of their contacts the intake could not, re-groups each of
  their products once, then moves the place.

Each product in its own short transaction (regroup.product_regroup locks the product's
problems: corrections wait for it, and it waits for them). A product that fails is logged
and left as it is: detection never costs an import its contacts or the worker its pass.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from andon.catalog.models import Product
from andon.core.selectors import outbox_events_past
from andon.core.services import outbox_place_move

if TYPE_CHECKING:
    from .regroup import Regrouped

log = logging.getLogger(__name__)

OUTBOX_PLACE = "detection"  # detection's place in the outbox (core.OutboxPlace)
# Events read in one pass: each distinct product among them is re-grouped once (a window of
# 400 contacts in about 0.1 s of CPU), so a pass stays short behind a burst of intake.
OUTBOX_BATCH = 1000


def products_settle(product_ids: Iterable[int], *, now: dt.datetime | None = None) -> Regrouped:
    """Re-group each product's window once (rules.WINDOW_DAYS before `now`), each product in
    a transaction of its own; a product that fails is logged and skipped."""
    # Imported here: the delivery worker imports this module, and numpy and the model's
    # code load only once there are contacts to settle.
    from .regroup import Regrouped, product_regroup

    now = now or timezone.now()
    totals = [0, 0, 0]
    for product_id in sorted(set(product_ids)):
        try:
            with transaction.atomic():
                read, moved = product_regroup(product_id=product_id, now=now)
        except Exception:  # the grouping stays the online one; the next pass tries again
            log.exception("detection: product %s not re-grouped", product_id)
            continue
        totals[0] += 1
        totals[1] += read
        totals[2] += moved
    return Regrouped(*totals)


def _assign_left_over(contact_ids: list[int]) -> None:
    """Contacts whose assignment failed in the intake (one it chose was emptied and deleted
    by a re-grouping at that moment, say) are assigned before their product is re-grouped, so
    that no one has to run `andon detection pending` for them. So are those the intake put
    on a problem that a re-grouping dissolved, or a person merged away, between the intake's
    read and its write: the re-grouping reads only open problems' members, so such a contact
    would otherwise stay there, out of every count, until a rebuild. A corrected (pinned)
    assignment is a person's decision and is left to them. Two statements when there are none."""
    from .batch import contacts_assign
    from .models import Assignment, ProblemState

    try:
        with transaction.atomic():
            Assignment.objects.filter(contact_id__in=contact_ids, pinned=False).exclude(
                problem__state=ProblemState.OPEN
            ).delete()
            contacts_assign(contact_ids=contact_ids)
    except Exception:  # left for `andon detection pending`, as before
        log.exception("detection: %d contacts left unassigned", len(contact_ids))


def outbox_settle(*, limit: int = OUTBOX_BATCH) -> int:
    """Re-group the products of the `contact.created` events past detection's place in the
    outbox (the delivery worker runs this beside the relay). Returns the number of those
    events read (the others are passed over in the same read)."""
    read = outbox_events_past(
        OUTBOX_PLACE,
        fields=("payload__sku", "payload__contact_id"),
        types=("contact.created",),
        limit=limit,
    )
    if read is None:
        return 0
    if read.events:
        if contact_ids := [cid for _, _, cid in read.events if cid]:
            _assign_left_over(contact_ids)
        skus = {sku for _, sku, _ in read.events if sku}
        products_settle(Product.objects.filter(sku__in=skus).values_list("id", flat=True))
    # Moved after the products are settled (a crash re-groups them again, which moves
    # nothing), and only from where it was read: two workers that read the same events both
    # re-group (the same result), and one moves the place.
    outbox_place_move(read)
    return len(read.events)
