"""Service recovery in the agent's flow: right after a contact is recorded the catalogue is
there to give from, and the customer's history lists every recovery given."""

from __future__ import annotations

import pytest

from andon.recovery.services import catalogue_ensure_defaults

pytestmark = pytest.mark.django_db


def test_after_recording_a_contact_the_agent_gives_recovery_and_the_history_shows_it(shop, login):
    catalogue_ensure_defaults()
    agent = login("agent1")
    r = agent.post(
        "/customers/cust-a/contacts",
        {
            "order": "order-a",
            "line_no": 1,
            "reason": "print-defect",
            "channel": "phone",
            "text": "100-101页未裁开",
        },
        follow=True,
    )
    assert r.status_code == 200
    contact_id = r.context["recorded"].pk
    page = r.content.decode()
    assert f'hx-get="/recovery/contacts/{contact_id}/"' in page

    fragment = agent.get(f"/recovery/contacts/{contact_id}/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and 'name="action"' in fragment.content.decode()
    given = agent.post(
        f"/recovery/contacts/{contact_id}/",
        {"action": "coupon-5", "cost": "5", "note": "5元购物券"},
        HTTP_HX_REQUEST="true",
    )
    assert given.status_code == 200, given.content.decode()[:500]

    history = agent.get("/customers/cust-a/").content.decode()
    assert "5元购物券" in history and "¥5.00" in history.replace("CN¥", "¥")
    assert "No service recovery is recorded" not in history
