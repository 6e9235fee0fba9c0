"""The admin lists endpoints and deliveries with filters, replays, pauses, and checks URLs
as the API does."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from andon.integrations import services
from andon.integrations.models import Delivery, DeliveryState, WebhookEndpoint
from andon.integrations.relay import relay_pass

from .events import listing_events_emit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-12345678")
    client.force_login(user)
    return client


def test_deliveries_are_listed_by_state_endpoint_and_event_type_and_replayed(admin_client):
    endpoint = services.endpoint_create(actor=None, url="http://127.0.0.1:9/hooks")
    listing_events_emit(3, products=1)
    relay_pass()
    Delivery.objects.update(state=DeliveryState.DEAD)
    for query in (
        "",
        "?state__exact=dead",
        f"?endpoint__id__exact={endpoint.pk}",
        "?event__event_type=listing.suppressed",
    ):
        r = admin_client.get(f"/admin/integrations/delivery/{query}")
        assert r.status_code == 200, query
    one = Delivery.objects.first()
    assert admin_client.get(f"/admin/integrations/delivery/{one.pk}/change/").status_code == 200
    r = admin_client.post(
        "/admin/integrations/delivery/", {"action": "replay", "_selected_action": [str(one.pk)]}
    )
    assert r.status_code == 302
    one.refresh_from_db()
    assert one.state == DeliveryState.PENDING


def test_endpoints_are_paused_and_their_url_checked_like_the_api(admin_client, settings):
    endpoint = services.endpoint_create(actor=None, url="http://127.0.0.1:9/hooks")
    assert (
        admin_client.get("/admin/integrations/webhookendpoint/?active__exact=1").status_code == 200
    )
    admin_client.post(
        "/admin/integrations/webhookendpoint/",
        {"action": "pause", "_selected_action": [str(endpoint.pk)]},
    )
    assert WebhookEndpoint.objects.get().active is False

    settings.ANDON_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    r = admin_client.post(
        f"/admin/integrations/webhookendpoint/{endpoint.pk}/change/",
        {"url": "http://10.0.0.1/hooks", "description": "", "event_types": "[]", "active": "on"},
    )
    assert r.status_code == 200 and "url" in r.context["adminform"].form.errors
    assert WebhookEndpoint.objects.get().url == "http://127.0.0.1:9/hooks"
