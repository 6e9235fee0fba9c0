"""Services check the role on every write, whoever calls them (API, console, admin, a script):
called with a person who lacks the role, each refuses (Forbidden) and writes nothing. The
check is one idiom, people.selectors.actor_require over a people.rules predicate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from andon.catalog import services as catalog
from andon.core.errors import Forbidden
from andon.integrations import services as webhooks
from andon.integrations import syncs
from andon.integrations.imports import rows_import
from andon.integrations.models import WebhookEndpoint
from andon.orders import services as orders

from ..pulls.conftest import seed_product
from ..snapshot import assert_nothing_written, db_state
from ..world import SKU

pytestmark = pytest.mark.django_db

PLACED = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def _endpoint() -> WebhookEndpoint:
    return webhooks.endpoint_create(actor=None, url="http://127.0.0.1:9/hooks")


WRITES = {
    "catalog.warehouse_upsert": lambda a: catalog.warehouse_upsert(actor=a, code="wh-x", name="X"),
    "catalog.product_upsert": lambda a: catalog.product_upsert(
        actor=a, sku="NEW-1", title="新书", price=Decimal("1")
    ),
    "orders.customer_upsert": lambda a: orders.customer_upsert(
        actor=a, external_id="c-new", name="N"
    ),
    "orders.order_upsert": lambda a: orders.order_upsert(
        actor=a, external_id="o-new", customer=f"{SKU}-c0", placed_at=PLACED, channel="web"
    ),
    "syncs.product_sync": lambda a: syncs.product_sync(
        actor=a, sku=SKU, title="改名", price=Decimal("1")
    ),
    "syncs.order_sync": lambda a: syncs.order_sync(
        actor=a,
        external_id="o-new",
        customer=f"{SKU}-c0",
        placed_at=PLACED,
        channel="web",
        lines=[syncs.LineIn(line_no=1, sku=SKU)],
    ),
    "syncs.line_status_sync": lambda a: syncs.line_status_sync(
        actor=a, order=f"{SKU}-o3", line_no=1, status="shipped"
    ),
    "imports.rows_import": lambda a: rows_import(
        actor=a, kind="warehouses", rows=[{"code": "wh-x", "name": "X"}]
    ),
    "webhooks.endpoint_create": lambda a: webhooks.endpoint_create(
        actor=a, url="http://127.0.0.1:9/other"
    ),
    "webhooks.endpoint_update": lambda a: webhooks.endpoint_update(
        actor=a, endpoint=WebhookEndpoint.objects.get(), active=False
    ),
    "webhooks.endpoint_rotate_secret": lambda a: webhooks.endpoint_rotate_secret(
        actor=a, endpoint=WebhookEndpoint.objects.get()
    ),
    "webhooks.deliveries_replay_range": lambda a: webhooks.deliveries_replay_range(
        actor=a,
        endpoint=WebhookEndpoint.objects.get(),
        since=PLACED,
        until=PLACED + dt.timedelta(days=30),
    ),
}


@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize("who", ["agent1", "vendor1", "confirmer1"])
def test_a_write_service_refuses_a_person_without_the_role_and_writes_nothing(world, write, who):
    seed_product(agent=world.users["agent1"])
    _endpoint()
    before = db_state()
    with pytest.raises(Forbidden):
        WRITES[write](world.users[who])
    assert_nothing_written(before)


@pytest.mark.parametrize("write", list(WRITES))
def test_the_same_write_service_lets_an_integrator_through(world, write):
    seed_product(agent=world.users["agent1"])
    _endpoint()
    WRITES[write](world.users["integrator"])
