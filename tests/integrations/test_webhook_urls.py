"""Where a webhook may point: http(s) only; with private networks disallowed (production),
public addresses only, checked on save and again before each POST; redirects not followed."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils.translation import override

from andon.integrations.addresses import address_is_public
from andon.integrations.models import Delivery, DeliveryAttempt, DeliveryState
from andon.integrations.relay import deliver_due, relay_pass

from .events import listing_events_emit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "address,public",
    [
        ("93.184.216.34", True),
        ("2606:4700::1", True),
        ("127.0.0.1", False),
        ("10.0.0.5", False),
        ("172.16.3.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("224.0.0.1", False),
    ],
)
def test_only_globally_routable_unicast_addresses_are_public(address, public):
    assert address_is_public(address) is public


@pytest.mark.parametrize(
    "url",
    [
        "ftp://shop.example/hooks",
        "file:///etc/passwd",
        "javascript:alert(1)//x",
        "http:///no-host",
        "https://shop.example:99999/hooks",
    ],
)
def test_a_url_that_is_not_http_or_https_with_a_host_is_refused_naming_url(api, url):
    r = api.call("POST", "/webhooks", "integrator", {"url": url})
    assert r.status_code == 422 and r.json()["field"] == "url", r.content
    created = api.call("POST", "/webhooks", "integrator", {"url": "http://127.0.0.1:9/h"}).json()
    r = api.call("PATCH", f"/webhooks/{created['id']}", "integrator", {"url": url})
    assert r.status_code == 422 and r.json()["field"] == "url", r.content


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hooks",
        "http://localhost/hooks",
        "https://10.0.0.5/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
    ],
)
def test_without_private_networks_an_internal_address_is_refused_naming_url(api, settings, url):
    settings.ANDON_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    r = api.call("POST", "/webhooks", "integrator", {"url": url})
    assert r.status_code == 422, r.content
    assert r.json()["field"] == "url" and "public" in r.json()["detail"]


def test_without_private_networks_a_public_address_is_accepted_and_a_patch_is_checked(
    api, settings
):
    settings.ANDON_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    # An address literal: resolving it needs no network.
    r = api.call("POST", "/webhooks", "integrator", {"url": "https://93.184.216.34/hooks"})
    assert r.status_code == 201, r.content
    patched = api.call(
        "PATCH", f"/webhooks/{r.json()['id']}", "integrator", {"url": "http://127.0.0.1/hooks"}
    )
    assert patched.status_code == 422 and patched.json()["field"] == "url"


def test_the_embedded_default_allows_private_networks(api, settings):
    assert settings.ANDON_WEBHOOK_ALLOW_PRIVATE_NETWORKS is True
    r = api.call("POST", "/webhooks", "integrator", {"url": "http://localhost:9/hooks"})
    assert r.status_code == 201


def test_an_endpoint_that_became_internal_is_not_posted_to(api, settings):
    # Saved while allowed (or a name that resolved elsewhere then); disallowed since.
    api.call("POST", "/webhooks", "integrator", {"url": "http://127.0.0.1:9/hooks"})
    settings.ANDON_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    listing_events_emit(1, products=1)
    relay_pass()
    with override("en"):  # the worker writes the reason in its active language
        assert deliver_due() == 1
    attempt = DeliveryAttempt.objects.get()
    assert attempt.status_code is None and attempt.error.startswith("not sent:")
    assert Delivery.objects.get().state == DeliveryState.PENDING


class _Redirecting(BaseHTTPRequestHandler):
    def do_POST(self):
        self.send_response(302)
        self.send_header("Location", "http://127.0.0.1:9/elsewhere")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_redirect_is_a_failed_attempt_not_followed(api):
    server = HTTPServer(("127.0.0.1", 0), _Redirecting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hooks"
        api.call("POST", "/webhooks", "integrator", {"url": url})
        listing_events_emit(1, products=1)
        relay_pass()
        deliver_due()
    finally:
        server.shutdown()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.last_status_code) == (DeliveryState.PENDING, 302)
