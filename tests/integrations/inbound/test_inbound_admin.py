"""The admin configures a connection: the agent must record contacts, reason values must map
to known codes, an empty secret gets a generated one."""

from __future__ import annotations

import pytest

from andon.integrations.inbound.admin import InboundConnectionForm

pytestmark = pytest.mark.django_db


def form(shop, **changes):
    data = {
        "vendor": "freshdesk",
        "slug": "fd-main",
        "secret": "",
        "agent": shop.users["agent1"].pk,
        "order_field": "cf_order_number",
        "line_field": "",
        "reason_field": "cf_reason",
        "reason_map": '{"Misprint": "print-defect"}',
        "default_reason": "",
        "channel": "email",
        "active": "on",
        **changes,
    }
    return InboundConnectionForm(data=data)


def test_a_valid_connection_gets_a_generated_secret(shop):
    f = form(shop)
    assert f.is_valid(), f.errors
    connection = f.save()
    assert len(connection.secret) >= 40


def test_the_agent_must_record_contacts(shop):
    f = form(shop, agent=shop.users["vendor1"].pk)
    assert not f.is_valid() and "agent" in f.errors


@pytest.mark.parametrize(
    "field, value",
    [
        ("reason_map", '{"Misprint": "no-such-code"}'),
        ("reason_map", "[1]"),
        ("default_reason", "x"),
    ],
)
def test_reasons_must_be_known_codes(shop, field, value):
    f = form(shop, **{field: value})
    assert not f.is_valid() and field in f.errors


def test_the_admin_pages_answer(admin_client, shop):
    assert admin_client.get("/admin/integrations/inboundconnection/add/").status_code == 200
    assert admin_client.get("/admin/integrations/inboundevent/").status_code == 200
