"""The customer data integrity signals need (registration, address, city, device): through the
customer API, the `customers` import and the admin; imports without them keep working."""

from __future__ import annotations

import pytest

from andon.orders.models import Customer
from andon.orders.rules import address_key, mask_address, normalise_city

pytestmark = pytest.mark.django_db


def test_addresses_and_cities_match_however_they_are_typed():
    assert normalise_city("上海市") == normalise_city(" 上海 ") == "上海"
    assert normalise_city("Shanghai City") == normalise_city("shanghai")
    assert address_key("Room 3, 12 Main St.", "Shanghai") == address_key(
        "room3 12 main st", "SHANGHAI CITY"
    )
    assert address_key("", "上海") == ""
    assert mask_address("浦东新区张江路100号3室") == "浦东新区张江****"


def test_the_customer_api_takes_and_returns_the_new_fields(api):
    body = {
        "name": "A",
        "phone": "13800000000",
        "registered_at": "2026-11-01T08:00:00Z",
        "address": "张江路 100号",
        "city": "上海市",
        "device_id": "dev-1",
    }
    r = api.call("PUT", "/customers/c-1", "integrator", body)
    assert r.status_code == 201, r.content
    assert r.json()["device_id"] == "dev-1"
    # The address comes back masked, as on screen.
    assert r.json()["address"] == mask_address("张江路 100号") == "张江路 10****"
    c = Customer.objects.get(external_id="c-1")
    assert c.address_key == address_key("张江路100号", "上海")
    assert c.registered_at is not None
    # Without them, as before: accepted, the fields empty.
    r = api.call("PUT", "/customers/c-2", "integrator", {"name": "B"})
    assert r.status_code == 201
    assert r.json()["registered_at"] is None


def test_bad_new_fields_get_a_4xx_naming_the_field(api):
    r = api.call("PUT", "/customers/c-1", "integrator", {"name": "A", "registered_at": "soon"})
    assert r.status_code == 422
    assert "registered_at" in r.content.decode()


def _imp(api, rows):
    r = api.call("POST", "/imports/customers", "integrator", rows)
    assert r.status_code == 200, r.content
    return r.json()


def test_the_customers_import_takes_the_new_columns_and_old_files_keep_working(api):
    new = [
        {
            "external_id": "c-1",
            "name": "A",
            "registered_at": "2026-11-01T08:00:00+08:00",
            "address": "Room 3, 12 Main St.",
            "city": " Shanghai ",
            "device_id": "dev-1",
        }
    ]
    assert _imp(api, new)["created"] == 1
    c = Customer.objects.get(external_id="c-1")
    assert (c.city, c.device_id) == ("Shanghai", "dev-1")
    assert c.address_key == address_key("room 3 12 main st", "shanghai")
    assert _imp(api, new)["unchanged"] == 1
    # An old-style file (no integrity columns) updates the name and leaves the rest alone.
    assert _imp(api, [{"external_id": "c-1", "name": "A2"}])["updated"] == 1
    c.refresh_from_db()
    assert (c.name, c.device_id, c.city) == ("A2", "dev-1", "Shanghai")
    assert _imp(api, [{"external_id": "c-3", "name": "C"}]) == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": [],
    }


def test_the_admin_shows_and_edits_the_new_fields(admin_client):
    c = Customer.objects.create(external_id="c-1", name="A", city="上海市 ", address="张江路1号")
    assert c.address_key
    r = admin_client.get(f"/admin/orders/customer/{c.pk}/change/")
    assert r.status_code == 200
    body = r.content.decode()
    for name in ("registered_at", "address", "city", "device_id"):
        assert f'name="{name}' in body


def test_the_customer_page_shows_the_address_masked():
    from django.contrib.auth.models import Group, User
    from django.test import Client

    Customer.objects.create(
        external_id="c-9", name="A", address="浦东新区张江路100号3室", city="上海"
    )
    agent = User.objects.create_user(username="agent-9")
    agent.groups.add(Group.objects.get_or_create(name="agent")[0])
    client = Client(headers={"accept-language": "en"})
    client.force_login(agent)
    body = client.get("/customers/c-9/").content.decode()
    assert "浦东新区张江****" in body and "上海" in body
    assert "张江路100号" not in body
