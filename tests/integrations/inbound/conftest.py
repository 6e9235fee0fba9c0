from __future__ import annotations

import pytest

from andon.integrations.models import InboundConnection

from ...web.catalog import load_catalog
from ...world import World
from .payloads import ZENDESK_ORDER_FIELD, ZENDESK_REASON_FIELD

SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rz"


@pytest.fixture
def shop(world: World) -> World:
    load_catalog()
    return world


@pytest.fixture
def zendesk(shop: World) -> InboundConnection:
    return InboundConnection.objects.create(
        vendor="zendesk",
        slug="zd-main",
        secret=SECRET,
        agent=shop.users["agent1"],
        order_field=ZENDESK_ORDER_FIELD,
        reason_field=ZENDESK_REASON_FIELD,
        reason_map={"misprint": "print-defect"},
    )


@pytest.fixture
def freshdesk(shop: World) -> InboundConnection:
    return InboundConnection.objects.create(
        vendor="freshdesk",
        slug="fd",
        secret=SECRET,
        agent=shop.users["agent2"],
        order_field="cf_order_number",
        line_field="cf_order_line",
        reason_field="cf_complaint_reason",
        reason_map={"Misprint": "print-defect"},
    )


@pytest.fixture
def zammad(shop: World) -> InboundConnection:
    return InboundConnection.objects.create(
        vendor="zammad",
        slug="zm",
        secret=SECRET,
        agent=shop.users["agent1"],
        order_field="order_number",
        reason_field="complaint_reason",
    )
