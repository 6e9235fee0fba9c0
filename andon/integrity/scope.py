"""What an incremental scan recomputes: the customers, agents and products that the waiting
changes (PendingRef rows) touched. A few indexed reads, whatever the size of the data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Q

from andon.catalog.models import Product
from andon.contacts.models import Contact
from andon.orders.models import Customer
from andon.pulls.models import Andon, AndonEvidence, CordPull
from andon.reviews.models import PullReview

# The kinds of PendingRef.ref, and what they name.
CONTACT = "contact"  # a contact id: its customer (claims, recovery), agent, product
ANDON = "andon"  # an andon id: its product, its pullers, its evidence's products
CONTACT_EXTERNAL = "contact-ext"  # an imported contact's external id: as CONTACT
CUSTOMER = "customer"  # a customer external id: its tally, the products it reported
ORDER = "order"  # an order external id (its lines' statuses): as its customer
PRODUCT = "product"  # a SKU
AGENT = "agent"  # a user name
ANY = "any"  # nothing in particular (teams changed): the agent-wide judgement runs again


@dataclass
class Scope:
    customers: set[int] = field(default_factory=set)
    agents: set[int] = field(default_factory=set)
    products: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.customers or self.agents or self.products)


def _ints(keys: Iterable[str]) -> list[int]:
    return [int(k) for k in keys if k.isdigit()]


def scope_of(refs: Iterable[tuple[str, str]]) -> Scope:
    keys: dict[str, set[str]] = {}
    for ref, key in refs:
        keys.setdefault(ref, set()).add(key)
    s = Scope()
    contacts = Q(pk__in=_ints(keys.get(CONTACT, ()))) | Q(
        external_id__in=list(keys.get(CONTACT_EXTERNAL, ()))
    )
    for customer, agent, product in Contact.objects.filter(contacts).values_list(
        "customer_id", "agent_id", "product_id"
    ):
        s.customers.add(customer)
        s.agents.add(agent)
        s.products.add(product)
    andons = _ints(keys.get(ANDON, ()))
    if andons:
        s.products |= set(Andon.objects.filter(pk__in=andons).values_list("product_id", flat=True))
        s.agents |= set(
            CordPull.objects.filter(andon_id__in=andons).values_list("agent_id", flat=True)
        )
        # The opener's evidence links and the puller's reviews.
        s.agents |= set(Andon.objects.filter(pk__in=andons).values_list("opened_by", flat=True))
        s.agents |= set(
            PullReview.objects.filter(andon_id__in=andons).values_list("agent_id", flat=True)
        )
        s.products |= set(
            AndonEvidence.objects.filter(andon_id__in=andons).values_list(
                "contact__product_id", flat=True
            )
        )
    customers = Q(external_id__in=list(keys.get(CUSTOMER, ()))) | Q(
        orders__external_id__in=list(keys.get(ORDER, ()))
    )
    if keys.get(CUSTOMER) or keys.get(ORDER):
        ids = set(Customer.objects.filter(customers).values_list("pk", flat=True))
        s.customers |= ids
        # A changed phone, address or device can make or break a cluster on what it reported.
        s.products |= set(
            Contact.objects.filter(customer_id__in=ids).values_list("product_id", flat=True)
        )
        s.agents |= set(
            Contact.objects.filter(customer_id__in=ids).values_list("agent_id", flat=True)
        )
    if keys.get(PRODUCT):
        s.products |= set(
            Product.objects.filter(sku__in=keys[PRODUCT]).values_list("pk", flat=True)
        )
    if keys.get(AGENT):
        s.agents |= set(
            get_user_model().objects.filter(username__in=keys[AGENT]).values_list("pk", flat=True)
        )
    s.customers.discard(None)
    s.agents.discard(None)
    s.products.discard(None)
    return s
