"""Proactive recovery: make it right with the past buyers of an andon's product who have not
called, before they stop buying.

- Eligible: customers with a delivered line of the product since the blast radius's window
  before the pull, who have no contact about the product.
- The department or the confirmer (or a service person) picks one catalogue action for all of
  them or a selection, in one action. Above the role's guide: one line of reason, never an
  approval (recovery.rules).
- At most one per customer and andon: the unique constraint, and every batch picks only who is
  still pending. A job runs as a task in batches; each batch commits its customers with their
  `recovery.proactive` events, so running it again (or after a killed worker) reaches only who
  is left: each customer once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from andon.catalog.models import Product
from andon.contacts.models import Contact
from andon.core.errors import Forbidden, InvalidInput
from andon.core.i18n import in_reader_language
from andon.core.services import Audit, Event, audit_record, outbox_emit
from andon.orders.models import Customer, FulfilmentStatus, OrderLine
from andon.people import rules as people_rules
from andon.people.selectors import roles_of

from . import rules
from .models import ProactiveJob, ProactiveRecovery
from .selectors import action_get, guide_limits

# Customers per transaction: short transactions, progress visible, a kill loses one batch.
BATCH = 1000
# A selection names at most this many customers (larger: "all").
SELECTION_MAX = 10_000


def may_give_proactive(actor: User) -> bool:
    """Service people, confirmers and department members: whoever works the andon."""
    r = roles_of(actor)
    return (
        people_rules.may_give_recovery(r) or people_rules.may_confirm(r) or bool(r.department_codes)
    )


def past_buyers(*, product_id: int, since: dt.datetime) -> QuerySet[Customer]:
    """Customers with a delivered line of the product since `since` (a line without a status
    time counts from its order's time, as in the blast radius) and no contact about it."""
    delivered = OrderLine.objects.annotate(
        moved=Coalesce("status_changed_at", "order__placed_at")
    ).filter(
        order__customer_id=OuterRef("pk"),
        product_id=product_id,
        fulfilment_status=FulfilmentStatus.DELIVERED,
        moved__gte=since,
    )
    contacted = Contact.objects.filter(customer_id=OuterRef("pk"), product_id=product_id)
    return Customer.objects.filter(Exists(delivered)).exclude(Exists(contacted))


def pending(*, andon_id: int, product_id: int, since: dt.datetime) -> QuerySet[Customer]:
    reached = ProactiveRecovery.objects.filter(andon_id=andon_id, customer_id=OuterRef("pk"))
    return past_buyers(product_id=product_id, since=since).exclude(Exists(reached))


@dataclass(frozen=True)
class Summary:
    eligible: int  # reached + pending
    reached: int
    pending: int
    cost: Decimal
    contacted_anyway: int  # reached, and contacted us about the product afterwards
    running: bool  # a job is still under way


def proactive_summary(*, andon_id: int, product_id: int, since: dt.datetime) -> Summary:
    """Four queries whatever the number of customers."""
    given = ProactiveRecovery.objects.filter(andon_id=andon_id)
    totals = given.aggregate(n=Count("id"), cost=Sum("cost"))
    later = Contact.objects.filter(
        customer_id=OuterRef("customer_id"),
        product_id=product_id,
        created_at__gt=OuterRef("given_at"),
    )
    anyway = given.filter(Exists(later)).count()
    left = pending(andon_id=andon_id, product_id=product_id, since=since).count()
    running = ProactiveJob.objects.filter(andon_id=andon_id, finished_at__isnull=True).exists()
    reached = totals["n"] or 0
    return Summary(
        eligible=reached + left,
        reached=reached,
        pending=left,
        cost=(totals["cost"] or Decimal("0")).quantize(Decimal("0.01")),
        contacted_anyway=anyway,
        running=running,
    )


@transaction.atomic
def proactive_start(
    *,
    actor: User,
    andon_id: int,
    product: Product,
    since: dt.datetime,
    action: str,
    customers: str | list[str],
    reason: str = "",
) -> ProactiveJob:
    """Check the choice and record the job (the caller enqueues its run after the commit).
    `customers`: "all" pending past buyers, or their external ids."""
    if not may_give_proactive(actor):
        raise Forbidden(_("Only service people, confirmers and departments give recovery."))
    entry = action_get(code=action)
    cost = rules.check_cost(
        Decimal(entry.default_cost if entry.default_cost is not None else product.price)
    )
    guide = rules.guide_for(roles_of(actor), guide_limits(action_ids=[entry.pk]).get(entry.pk, {}))
    unusual = rules.is_unusual(cost, guide)
    reason = rules.one_line(reason, "reason")
    if unusual and not reason:
        raise InvalidInput(
            _("This is above the usual guide for your role: add one line saying why."),
            field="reason",
        )
    left = pending(andon_id=andon_id, product_id=product.pk, since=since)
    chosen: list[str] | None = None
    if customers != "all":
        chosen = sorted(set(customers)) if isinstance(customers, list) else []
        if not chosen or len(chosen) > SELECTION_MAX:
            raise InvalidInput(
                _("Say “all”, or list 1 to %(max)d customers.") % {"max": SELECTION_MAX},
                field="customers",
            )
        known = set(
            past_buyers(product_id=product.pk, since=since)
            .filter(external_id__in=chosen)
            .values_list("external_id", flat=True)
        )
        if unknown := [c for c in chosen if c not in known]:
            raise InvalidInput(
                _("Not a past buyer of this andon who has not contacted us: %(ids)s.")
                % {"ids": ", ".join(unknown[:10])},
                field="customers",
            )
        left = left.filter(external_id__in=chosen)
    now = timezone.now()
    job = ProactiveJob.objects.create(
        andon_id=andon_id,
        product=product,
        since=since,
        until=now,
        action=entry,
        cost=cost,
        customers=chosen,
        reason=reason,
        above_guide=unusual,
        actor=actor,
        created_at=now,
        total=left.count(),
    )
    data = {
        "job": job.pk,
        "action": entry.code,
        "cost": str(cost),
        "customers": job.total,
        "selection": chosen is not None,
        "reason": reason,
        "above_guide": unusual,
    }
    audit_record(
        actor_id=actor.pk,
        at=now,
        entries=[Audit("recovery.proactive", "andon", andon_id, andon_id, data)],
    )
    return job


def proactive_run(*, job_id: int, batch: int = BATCH) -> int:
    """Reach the job's pending customers, a batch per transaction. Idempotent; returns how many
    it reached in this run."""
    done = 0
    while True:
        n = run_batch(job_id, batch)
        if n is None:
            return done
        done += n


@transaction.atomic
def run_batch(job_id: int, batch: int) -> int | None:
    job = (
        ProactiveJob.objects.select_for_update()
        .select_related("action", "product")
        .filter(pk=job_id)
        .first()
    )
    if job is None or job.finished_at is not None:
        return None
    left = pending(andon_id=job.andon_id, product_id=job.product_id, since=job.since)
    if job.customers is not None:
        left = left.filter(external_id__in=job.customers)
    ids = list(left.order_by("pk").values_list("pk", flat=True)[:batch])
    now = timezone.now()
    if not ids:
        ProactiveJob.objects.filter(pk=job.pk).update(finished_at=now)
        return None
    ProactiveRecovery.objects.bulk_create(
        [
            ProactiveRecovery(
                andon_id=job.andon_id,
                customer_id=c,
                job=job,
                action=job.action,
                cost=job.cost,
                given_at=now,
            )
            for c in ids
        ],
        # Another job of the same andon may have reached one of them since the read: the
        # constraint keeps the first, and only this job's rows get its events below.
        ignore_conflicts=True,
    )
    ours = list(
        ProactiveRecovery.objects.filter(job=job, customer_id__in=ids).values_list(
            "customer__external_id", flat=True
        )
    )
    payload = {
        "andon_id": job.andon_id,
        "job_id": job.pk,
        "sku": job.product.sku,
        "action": job.action.code,
        "kind": job.action.kind,
        "cost": str(job.cost),
    }
    outbox_emit(
        at=now,
        events=[Event("recovery.proactive", {**payload, "customer": c}) for c in ours],
    )
    ProactiveJob.objects.filter(pk=job.pk).update(reached=F("reached") + len(ours))
    return len(ours)


def jobs_of(*, andon_id: int) -> list[ProactiveJob]:
    return list(
        ProactiveJob.objects.filter(andon_id=andon_id).select_related("action", "actor")[:20]
    )


def job_get(*, job_id: int) -> ProactiveJob | None:
    return ProactiveJob.objects.filter(pk=job_id).first()


@dataclass(frozen=True)
class BuyerRow:
    external_id: str
    name: str
    reached: bool
    action: str = ""  # the recovery given (reached only)
    given_at: dt.datetime | None = None


def past_buyers_page(
    *,
    andon_id: int,
    product_id: int,
    since: dt.datetime,
    pending_count: int,
    offset: int,
    limit: int,
) -> list[BuyerRow]:
    """One page of the eligible past buyers, the not-yet-reached first (by customer), then the
    reached (by when). `pending_count` is the summary's; at most two queries."""
    rows: list[BuyerRow] = []
    if offset < pending_count:
        rows = [
            BuyerRow(external_id=e, name=n, reached=False)
            for e, n in pending(andon_id=andon_id, product_id=product_id, since=since)
            .order_by("pk")
            .values_list("external_id", "name")[offset : offset + limit]
        ]
    left = limit - len(rows)
    if left > 0:
        start = max(0, offset - pending_count)
        rows += [
            BuyerRow(
                external_id=e, name=n, reached=True, action=in_reader_language(zh, en), given_at=g
            )
            for e, n, zh, en, g in ProactiveRecovery.objects.filter(andon_id=andon_id)
            .order_by("given_at", "pk")
            .values_list(
                "customer__external_id",
                "customer__name",
                "action__label_zh",
                "action__label_en",
                "given_at",
            )[start : start + left]
        ]
    return rows


def job_running(*, andon_id: int) -> ProactiveJob | None:
    """The andon's oldest job still under way, if any (the console's progress)."""
    return (
        ProactiveJob.objects.filter(andon_id=andon_id, finished_at__isnull=True)
        .order_by("pk")
        .first()
    )


def job_last(*, andon_id: int) -> ProactiveJob | None:
    return ProactiveJob.objects.filter(andon_id=andon_id).order_by("-pk").first()
