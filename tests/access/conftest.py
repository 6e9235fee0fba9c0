from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from andon.contacts.models import Contact
from andon.core.models import ApiToken, hash_token
from andon.recovery.services import recovery_give

from ..web.conftest import login, shop  # noqa: F401 - the console's fixtures, shared
from ..web.state import pulled, resolved, wo
from ..world import World

RECOVERY_NOTE = "matrix-recovery-note"


@dataclass
class Scene:
    world: World
    work_orders: dict[str, int]  # department code -> id, both resolved
    customer: str  # has one recovery given, noted RECOVERY_NOTE
    contact: int  # that recovery's contact
    order: str  # the external id of that contact's order


@pytest.fixture
def scene(shop: World) -> Scene:  # noqa: F811 - the fixture imported above
    admin = User.objects.create_superuser("admin", password="admin-pass")
    raw = "andon_matrix-admin"
    ApiToken.objects.create(user=admin, token_hash=hash_token(raw), prefix=raw[:12])
    shop.users["admin"], shop.tokens["admin"] = admin, raw
    pulled(shop)
    resolved(shop)
    contact = Contact.objects.select_related("customer", "order_line__order").order_by("pk").first()
    assert contact is not None
    recovery_give(
        actor=shop.users["agent1"], contact_id=contact.pk, action="coupon-5", note=RECOVERY_NOTE
    )
    codes = ("vendor-management", "warehouse-logistics")
    order = contact.order_line.order.external_id
    return Scene(
        shop, {c: wo(c).pk for c in codes}, contact.customer.external_id, contact.pk, order
    )
