"""Close the loop (issue 13): does service recovery turn into membership and orders? Of the
customers given recovery in a period, how many enrolled in a membership after it, converted
a trial, renewed, and ordered again within 30 and 90 days; side by side with a control group:
customers who complained of the same thing (the same reason on the same product as a
recovery of the period) in the period and were given no recovery in it.

Each customer is anchored at the first recovery, or the first such contact, of the period;
the outcomes count after that moment. The reads start from the period's recoveries and
contacts and then read only the groups' customers' memberships and orders (never a pass over
every customer); the anchors are compared in Python, where a correlated subquery per outcome
made PostgreSQL's planner (and its JIT) take seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, Min, OuterRef

from andon.contacts.models import Contact
from andon.core.sql import any_of
from andon.membership.models import Membership, MembershipChange
from andon.membership.rules import Change, rate
from andon.orders.models import Order

from .models import RecoveryGiven


@dataclass(frozen=True)
class LoopGroup:
    customers: int
    enrolled: int
    converted: int
    renewed: int
    ordered_30: int
    ordered_90: int

    def share(self, outcome: str) -> float | None:
        """An outcome's share of the group; None for an empty group."""
        return rate(getattr(self, outcome), self.customers)


@dataclass(frozen=True)
class RecoveredMembers:
    recovered: LoopGroup  # given recovery in the period
    control: LoopGroup  # the same complaint in the period, no recovery


# Customers per statement when reading a group's memberships and orders (SQLite's limit on
# bound parameters is 32,766; PostgreSQL gets them as one array, core.sql.any_of).
CHUNK = 5000


def _outcomes(anchors: dict[int, dt.datetime], ids: list[int]) -> dict[int, set[str]]:
    """For each customer of `ids`, the outcomes after its anchor: enrolled (a membership
    started at or after it), converted, renewed (that membership), ordered_30/90 (an order
    within 30/90 days after it). Two reads per chunk of customers, whatever their number."""
    out: dict[int, set[str]] = {c: set() for c in ids}
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        first = min(anchors[c] for c in part)
        last = max(anchors[c] for c in part)
        steps = MembershipChange.objects.filter(membership_id=OuterRef("pk"))
        joined = (
            Membership.objects.filter(any_of(Membership, "customer", part), started_at__gte=first)
            .annotate(
                converted=Exists(steps.filter(change=Change.CONVERTED)),
                renewed=Exists(steps.filter(change=Change.RENEWED)),
            )
            .values_list("customer_id", "started_at", "converted", "renewed")
            .order_by()
        )
        for c, started, converted, renewed in joined:
            if started >= anchors[c]:
                out[c] |= {"enrolled"} | ({"converted"} if converted else set())
                out[c] |= {"renewed"} if renewed else set()
        orders = (
            Order.objects.filter(
                any_of(Order, "customer", part),
                placed_at__gt=first,
                placed_at__lte=last + dt.timedelta(90),
            )
            .values_list("customer_id", "placed_at")
            .order_by()
        )
        for c, placed in orders:
            after = placed - anchors[c]
            if dt.timedelta(0) < after <= dt.timedelta(days=90):
                out[c].add("ordered_90")
                if after <= dt.timedelta(days=30):
                    out[c].add("ordered_30")
    return out


def _group(ids: list[int], outcomes: dict[int, set[str]]) -> LoopGroup:
    def n(outcome: str) -> int:
        return sum(1 for c in ids if outcome in outcomes[c])

    return LoopGroup(
        customers=len(ids),
        enrolled=n("enrolled"),
        converted=n("converted"),
        renewed=n("renewed"),
        ordered_30=n("ordered_30"),
        ordered_90=n("ordered_90"),
    )


def recovered_members(*, since: dt.datetime, until: dt.datetime) -> RecoveredMembers:
    """The recovered customers of [since, until) and their control group: five reads (more
    only past 5,000 customers), each on the period's rows or on the groups' customers."""
    given = RecoveryGiven.objects.filter(given_at__gte=since, given_at__lt=until)
    recovered: dict[int, dt.datetime] = dict(
        given.values("customer_id")
        .annotate(first=Min("given_at"))
        .values_list("customer_id", "first")
    )
    complaints = set(
        given.values_list("contact__product_id", "contact__reason_id").order_by().distinct()
    )
    control: dict[int, dt.datetime] = {}
    if complaints:
        contacts = (
            Contact.objects.filter(
                created_at__gte=since,
                created_at__lt=until,
                product_id__in={p for p, _ in complaints},
            )
            .values_list("customer_id", "product_id", "reason_id", "created_at")
            .order_by()
        )
        for c, product, reason, at in contacts:
            if (product, reason) in complaints and c not in recovered:
                control[c] = min(at, control.get(c, at))
    anchors = recovered | control
    outcomes = _outcomes(anchors, sorted(anchors))
    return RecoveredMembers(_group(list(recovered), outcomes), _group(list(control), outcomes))
