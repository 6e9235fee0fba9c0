"""Loading the demo as one transaction: all of it or nothing."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from andon.catalog.models import Product
from andon.contacts.models import Contact
from andon.flywheel import summaries as flywheel_summaries
from andon.membership.days import days_resum
from andon.orders.models import Customer, Order, OrderLine
from andon.people.models import Department
from andon.pulls.models import Andon

from . import background, history
from .config import DEPARTMENTS, config_load
from .corrections import corrections_load
from .detection import detection_load
from .flywheel import flywheel_load
from .membership import membership_load
from .people import people, people_load
from .reviews_history import load_review_history
from .story import SKU, story_load, warehouses_load

SEED = 20251120


@dataclass(frozen=True)
class Loaded:
    products: int
    customers: int
    orders: int
    order_lines: int
    contacts: int
    andons: list[Andon]


def demo_loaded() -> bool:
    return Product.objects.filter(sku=SKU).exists()


def collisions() -> list[str]:
    """Rows that would stop the demo from loading on a database that has other data."""
    users = User.objects.filter(username__in=[p.username for p in people()])
    departments = Department.objects.filter(code__in=[c for c, _, _ in DEPARTMENTS])
    found = [f"user {u}" for u in users.values_list("username", flat=True)] + [
        f"department {d}" for d in departments.values_list("code", flat=True)
    ]
    # The demo's stable identifiers (SKUs, customer and order numbers) would clash with, or
    # be muddled by, a catalogue that is already there.
    for model in (Product, Customer, Order):
        if n := model.objects.count():
            found.append(f"{n} {model._meta.verbose_name_plural}")
    return found


def database_wipe() -> None:
    """Empty every table (Django's flush): domain data, users, tokens, sessions, tasks."""
    # Inside an enclosing transaction (a test, a caller's atomic block) PostgreSQL refuses to
    # TRUNCATE tables with deferred foreign-key checks pending: run those checks first.
    connection.check_constraints()
    call_command("flush", interactive=False, verbosity=0)


@transaction.atomic
def demo_load(scale: background.Scale) -> Loaded:
    rng = random.Random(SEED)
    now = timezone.now()
    departments = config_load()
    users = people_load(departments)
    warehouses = warehouses_load()
    story_load(warehouses, now)

    bg = background.products_load(rng, scale.products, warehouses, history.FEATURED_ITEMS)
    bg.customer_ids = background.customers_load(rng, scale.customers)
    reserved = _reserved(bg)
    lines = background.orders_load(rng, scale.orders, bg, {p.sku for p in reserved}, now)
    agent_ids = [u.pk for name, u in users.items() if name.startswith("agent")]
    background.contacts_load(rng, scale.contacts, bg, lines, agent_ids, now)
    andons = history.history_load(rng, reserved, bg.customer_ids, users, now)
    corrections_load(andons, users)
    # Eight weeks of reviewed pulls, bonuses and recovery: the charts need a trend.
    load_review_history(weeks=8, rng=random.Random(SEED + 1))
    detection_load(random.Random(SEED + 2), agent_ids, now)
    # Twelve weeks of complaints and orders around the history, and team 2's silent cord.
    flywheel_load(random.Random(SEED + 3), now)
    # Members with six months of history and a launch mid-way, after the recovery history
    # so that some members joined from a recovery gesture.
    membership_load(random.Random(SEED + 4), now)
    # The dashboard reads its summaries: count them over everything loaded.
    flywheel_summaries.rebuild()
    # The member figures read theirs too. The loaders above write orders without the day
    # marks the API and the imports set (membership.days), and the database may hold days
    # summed before the demo (of rows since removed: none collide, or it would refuse): every
    # day is summed again from what is there now, whatever was loaded in which order.
    days_resum()
    return Loaded(
        products=Product.objects.count(),
        customers=Customer.objects.count(),
        orders=Order.objects.count(),
        order_lines=OrderLine.objects.count(),
        contacts=Contact.objects.count(),
        andons=andons,
    )


def _reserved(bg: background.Background) -> list[Product]:
    """The products of the past andons, kept out of the random orders and contacts so that
    their evidence is exactly what history.py records."""
    with_two_batches = set(
        Product.objects.filter(sku__in=list(bg.products), batches__code="B2").values_list(
            "sku", flat=True
        )
    )
    picked: list[Product] = []
    for past in history.PAST:
        sku = next(
            s
            for s in sorted(bg.products)
            if bg.kinds[s] == past.kind
            and past.item in bg.products[s].title
            and s in with_two_batches
            and s not in {p.sku for p in picked}
        )
        picked.append(bg.products[sku])
    return picked
