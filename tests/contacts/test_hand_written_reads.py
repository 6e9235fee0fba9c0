"""The intake's hand-written reads (the order line with its reason, the bearer token with its
user) give the instances the ORM gives, field for field, on either database: the raw rows
go through the conversions Django's compiler applies (core.sql.ModelColumns)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from andon.catalog.models import Product
from andon.contacts.models import ReasonCode
from andon.contacts.selectors import line_and_reason
from andon.core.models import ApiToken
from andon.core.services import token_authenticate
from andon.orders.errors import UnknownOrderLine
from andon.orders.models import OrderLine
from andon.people.selectors import roles_of, team_ids_of, token_user

from ..pulls.conftest import seed_product
from ..world import SKU

pytestmark = pytest.mark.django_db


def fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_line_and_its_reason_are_the_orms(world):
    seed_product(agent=world.users["agent1"])
    # Values the database converts: a date-time, a decimal, booleans, nullable columns.
    Product.objects.filter(sku=SKU).update(
        listing_until=timezone.now() + dt.timedelta(days=3), price="12.50"
    )
    ReasonCode.objects.filter(code="print-defect").update(safety_critical=True, threshold=1)
    with CaptureQueriesContext(connection) as seen:
        line, reason = line_and_reason(order=f"{SKU}-o0", line_no=1, reason="print-defect")
    assert len(seen.captured_queries) == 1
    orm = OrderLine.objects.select_related("order__customer", "product").get(
        order__external_id=f"{SKU}-o0", line_no=1
    )
    assert fields(line) == fields(orm)
    assert fields(line.order) == fields(orm.order)
    assert fields(line.order.customer) == fields(orm.order.customer)
    assert fields(line.product) == fields(orm.product)
    assert line.product.listing_until == orm.product.listing_until is not None
    assert reason is not None and fields(reason) == fields(ReasonCode.objects.get(code=reason.code))
    assert reason.safety_critical is True and reason.active is True
    # Read instances, as the ORM's: saving one updates its row.
    assert not line._state.adding and not line.product._state.adding and not reason._state.adding


def test_an_unknown_or_retired_reason_is_none_and_an_unknown_line_refused(world):
    seed_product(agent=world.users["agent1"])
    assert line_and_reason(order=f"{SKU}-o0", line_no=1, reason="no-such")[1] is None
    ReasonCode.objects.filter(code="wrong-item").update(active=False)
    line, reason = line_and_reason(order=f"{SKU}-o0", line_no=1, reason="wrong-item")
    assert reason is None and line.order.external_id == f"{SKU}-o0"
    with pytest.raises(UnknownOrderLine):
        line_and_reason(order=f"{SKU}-o0", line_no=2, reason="print-defect")


def test_the_token_user_is_the_orms_with_roles_and_team(world):
    raw = world.tokens["agent1"]
    with CaptureQueriesContext(connection) as seen:
        user = token_user(raw)
    assert len(seen.captured_queries) == 2  # the read, and the first use noted
    assert user is not None and fields(user) == fields(User.objects.get(username="agent1"))
    read_roles, read_team = roles_of(user), team_ids_of(user)
    fresh = User.objects.get(username="agent1")
    assert read_roles == roles_of(fresh) and read_team == team_ids_of(fresh)
    assert read_team.team_id is not None
    with CaptureQueriesContext(connection) as seen:
        assert token_authenticate(raw) == user
    assert len(seen.captured_queries) == 1  # used a moment ago: not noted again
    ApiToken.objects.filter(user=user).update(revoked_at=timezone.now())
    assert token_user(raw) is None
    User.objects.filter(username="lead1").update(is_active=False)
    assert token_user(world.tokens["lead1"]) is None
