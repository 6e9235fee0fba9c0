"""Login throttling (django-axes, settings.AXES_*): whose attempts count, and what a
refused sign-in sees.

Behind reverse proxies every request arrives from the nearest proxy, so the throttle would
count one address for everybody. Each proxy appends the address it was reached from to
X-Forwarded-For; with ANDON_PROXY_COUNT proxies in front of Andon, the client is the
ANDON_PROXY_COUNT-th entry from the right. Entries further left were written by the client
and are not trusted: a forged header cannot move an attacker to a fresh address.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, past ANDON_PROXY_COUNT trusted proxies."""
    count = getattr(settings, "ANDON_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR")
    if count <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [hop.strip() for hop in header.split(",") if hop.strip()]
    # Fewer entries than proxies: the request skipped a proxy; count the peer we see.
    return forwarded[-count] if len(forwarded) >= count else remote


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The sign-in page's answer while a user name is locked out here: 429, says for how long."""
    cooloff = settings.AXES_COOLOFF_TIME
    minutes = max(1, round(cooloff.total_seconds() / 60))
    context = {"minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "web/people/locked_out.html", context, status=429)
