"""The storefront's own record of its members, applied as it says: one customer by PUT
(`membership_sync`) or thousands by the `memberships` import (`memberships_sync`). Both take
the same decision per record (`_decide`) and write the same history, audit entries and
outbox events, so a member synced either way looks the same to the storefront's webhooks.

A record creates the live membership, or moves it forward (converted, renewed, past due,
cancelled, expired); the same record again changes nothing, also once it has expired.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from andon.core.errors import DomainError, InvalidInput
from andon.core.services import Audit, audit_record
from andon.orders.models import Customer

from . import rules
from .models import Membership, Plan
from .rules import Change, Source, State
from .selectors import plan_get
from .services import AlreadyMember, _check_actor, _event_payload, _record, _Step


@dataclass(frozen=True)
class Record:
    """What the storefront says one customer's membership is."""

    plan: Plan
    state: State
    started_at: dt.datetime
    ends_at: dt.datetime
    auto_renew: bool = True


@dataclass(frozen=True)
class Outcome:
    membership: Membership
    step: _Step | None  # the history step to record; None: no state change
    created: bool
    changed: bool  # anything to write (a date or the renewal flag may move without a step)


def _decide(
    customer: Customer,
    live: Membership | None,
    latest: Membership | None,
    r: Record,
    *,
    actor_id: int | None,
    at: dt.datetime,
) -> Outcome:
    """Apply `r` to the customer's locked live membership (or its latest ended one) in memory;
    raises a DomainError naming the field when the record cannot apply."""
    if r.ends_at < r.started_at:
        raise InvalidInput(_("ends_at is before started_at."), field="ends_at")
    auto_renew = r.auto_renew and r.state != State.CANCELLED
    if live is None:
        if r.state == State.EXPIRED:
            if latest is not None:
                latest.customer = customer
            if (
                latest is not None
                and latest.plan_id == r.plan.pk
                and latest.ends_at == r.ends_at
                and latest.started_at == r.started_at
            ):
                # The expiry this record reports has been applied already.
                return Outcome(latest, None, created=False, changed=False)
            raise InvalidInput(_("This customer has no live membership to expire."), field="state")
        m = Membership(
            customer=customer,
            plan=r.plan,
            state=r.state.value,
            source=Source.STOREFRONT.value,
            enrolled_by_id=actor_id,
            auto_renew=auto_renew,
            started_at=r.started_at,
            trial_ends_at=r.ends_at if r.state == State.TRIAL else None,
            paid_from=None if r.state == State.TRIAL else r.started_at,
            paid_periods=0 if r.state == State.TRIAL else 1,
            ends_at=r.ends_at,
            cancelled_at=at if r.state == State.CANCELLED else None,
        )
        return Outcome(m, _Step(m, Change.STARTED, None), created=True, changed=True)
    live.customer = customer  # the events name the customer: no read per row
    if live.plan_id != r.plan.pk:
        raise AlreadyMember(
            _("The live membership is of plan %(plan)s: cancel it before another plan starts.")
            % {"plan": live.plan.code},
            field="plan",
        )
    before = State(live.state)
    change = rules.sync_change(
        before=before, after=r.state, ends_before=live.ends_at, ends_after=r.ends_at
    )
    if change is None and live.ends_at == r.ends_at and live.auto_renew == auto_renew:
        return Outcome(live, None, created=False, changed=False)
    live.state = r.state.value
    live.ends_at = r.ends_at
    live.auto_renew = auto_renew
    if change == Change.CONVERTED:
        live.paid_from, live.paid_periods = live.trial_ends_at or at, 1
    elif change == Change.RENEWED:
        live.paid_periods += 1
    elif change == Change.CANCELLED:
        live.cancelled_at = at
    elif change == Change.EXPIRED:
        live.ended_at = at
    step = _Step(live, change, before) if change is not None else None
    return Outcome(live, step, created=False, changed=True)


def _live_and_latest(
    customer_ids: list[int], expiring: set[int]
) -> tuple[dict[int, Membership], dict[int, Membership]]:
    """The customers' live memberships, row-locked, and for those whose record says expired
    without a live one, their latest ended membership (two queries)."""
    live = {
        m.customer_id: m
        for m in Membership.objects.select_for_update(of=("self",))
        .select_related("plan")
        .filter(customer_id__in=customer_ids, state__in=[s.value for s in rules.LIVE])
    }
    latest: dict[int, Membership] = {}
    wanted = [c for c in customer_ids if c in expiring and c not in live]
    if wanted:
        for m in Membership.objects.filter(
            customer_id__in=wanted, state=State.EXPIRED.value
        ).order_by("customer_id", "-started_at", "-id"):
            latest.setdefault(m.customer_id, m)
    return live, latest


SYNC_FIELDS = ["state", "ends_at", "auto_renew", "paid_from", "paid_periods"]
SYNC_FIELDS += ["cancelled_at", "ended_at"]


def _write(outcomes: list[Outcome], *, actor_id: int | None, at: dt.datetime) -> None:
    """One insert of the new memberships, one update of the changed ones, then their history,
    audit and events (set-based); a record that moved only dates is audited, not announced."""
    new = [o.membership for o in outcomes if o.created]
    if new:
        Membership.objects.bulk_create(new, batch_size=500)
    moved = [o.membership for o in outcomes if o.changed and not o.created]
    if moved:
        Membership.objects.bulk_update(moved, SYNC_FIELDS, batch_size=500)
    _record([o.step for o in outcomes if o.step is not None], actor_id=actor_id, at=at)
    quiet = [o.membership for o in outcomes if o.changed and o.step is None]
    if quiet:
        audit_record(
            actor_id=actor_id,
            at=at,
            entries=[
                Audit("membership.synced", "membership", m.pk, data=_event_payload(m))
                for m in quiet
            ],
        )


@transaction.atomic
def membership_sync(
    *,
    actor: User,
    customer: Customer,
    plan_code: str,
    state: State,
    started_at: dt.datetime,
    ends_at: dt.datetime,
    auto_renew: bool = True,
    at: dt.datetime | None = None,
) -> tuple[Membership, bool]:
    """One customer's record (PUT). Returns (membership, whether anything changed)."""
    _check_actor(actor)
    at = at or timezone.now()
    record = Record(plan_get(code=plan_code), state, started_at, ends_at, auto_renew)
    live, latest = _live_and_latest(
        [customer.pk], {customer.pk} if state == State.EXPIRED else set()
    )
    outcome = _decide(
        customer,
        live.get(customer.pk),
        latest.get(customer.pk),
        record,
        actor_id=actor.pk,
        at=at,
    )
    _write([outcome], actor_id=actor.pk, at=at)
    return outcome.membership, outcome.changed


def memberships_sync(
    records: Mapping[int, tuple[Customer, Record]],
    *,
    actor_id: int | None,
    at: dt.datetime | None = None,
) -> dict[int, Outcome | DomainError]:
    """Many customers' records at once, keyed by the caller's row numbers (one record per
    customer), in the caller's transaction: what happened to each, or why it was refused.
    A handful of statements whatever the number of records; events in the records' order."""
    at = at or timezone.now()
    ids = [c.pk for c, _r in records.values()]
    expiring = {c.pk for c, r in records.values() if r.state == State.EXPIRED}
    live, latest = _live_and_latest(ids, expiring)
    out: dict[int, Outcome | DomainError] = {}
    for key in sorted(records):
        customer, record = records[key]
        try:
            out[key] = _decide(
                customer,
                live.get(customer.pk),
                latest.get(customer.pk),
                record,
                actor_id=actor_id,
                at=at,
            )
        except DomainError as e:
            out[key] = e
    _write([o for o in out.values() if isinstance(o, Outcome)], actor_id=actor_id, at=at)
    return out
