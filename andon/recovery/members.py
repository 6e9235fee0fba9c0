"""Close the loop (issue 13): does service recovery turn into membership and orders? Of the
customers given recovery in a period, how many enrolled in a membership after it, converted
a trial, renewed, and ordered again within 30 and 90 days; side by side with a control group:
customers who complained of the same thing (the same reason on the same product as a
recovery of the period) in the period and were given no recovery in it.

Each group is one query: its customers (a semi-join on the period's rows, never a pass over
every customer), each with the moment that anchors them (the first recovery, or the first
such contact, of the period), then EXISTS per outcome after that moment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from andon.contacts.models import Contact
from andon.membership.models import Membership
from andon.membership.rules import Change, rate
from andon.orders.models import Customer, Order

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


def _outcomes(anchors: QuerySet, customers: QuerySet) -> LoopGroup:
    """`anchors`: rows with `customer_id` and `at`; each customer's earliest `at` anchors it."""
    first = anchors.filter(customer_id=OuterRef("pk")).order_by("at").values("at")[:1]
    joined = Membership.objects.filter(
        customer_id=OuterRef("pk"), started_at__gte=OuterRef("first")
    )

    def ordered(days: int) -> Exists:
        return Exists(
            Order.objects.filter(
                customer_id=OuterRef("pk"),
                placed_at__gt=OuterRef("first"),
                placed_at__lte=OuterRef("first") + dt.timedelta(days=days),
            )
        )

    figures = (
        customers.annotate(first=Subquery(first))
        .annotate(
            has_enrolled=Exists(joined),
            has_converted=Exists(joined.filter(changes__change=Change.CONVERTED)),
            has_renewed=Exists(joined.filter(changes__change=Change.RENEWED)),
            has_ordered_30=ordered(30),
            has_ordered_90=ordered(90),
        )
        # Aggregates named like the annotations would replace them: hence has_*.
        .aggregate(
            customers=Count("pk"),
            enrolled=Count("pk", filter=Q(has_enrolled=True)),
            converted=Count("pk", filter=Q(has_converted=True)),
            renewed=Count("pk", filter=Q(has_renewed=True)),
            ordered_30=Count("pk", filter=Q(has_ordered_30=True)),
            ordered_90=Count("pk", filter=Q(has_ordered_90=True)),
        )
    )
    return LoopGroup(**figures)


def recovered_members(*, since: dt.datetime, until: dt.datetime) -> RecoveredMembers:
    """The recovered customers of [since, until) and their control group (two queries)."""
    given = RecoveryGiven.objects.filter(given_at__gte=since, given_at__lt=until)
    recovered = _outcomes(
        given.annotate(at=F("given_at")),
        Customer.objects.filter(pk__in=given.values("customer_id")),
    )
    same_complaint = given.filter(
        contact__product_id=OuterRef("product_id"), contact__reason_id=OuterRef("reason_id")
    )
    unrecovered = (
        Contact.objects.filter(created_at__gte=since, created_at__lt=until)
        .filter(Exists(same_complaint))
        .exclude(customer_id__in=given.values("customer_id"))
    )
    control = _outcomes(
        unrecovered.annotate(at=F("created_at")),
        Customer.objects.filter(pk__in=unrecovered.values("customer_id")),
    )
    return RecoveredMembers(recovered, control)
