"""Where a webhook may point: http(s) only, and (when production turns
ANDON_WEBHOOK_ALLOW_PRIVATE_NETWORKS off) never at loopback, private, link-local or other
non-public addresses, so that an endpoint cannot be used to reach the internal network
(server-side request forgery). Checked when an endpoint is saved and again before each POST,
because a name may resolve elsewhere later."""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse

from django.utils.translation import gettext


def address_is_public(address: str) -> bool:
    """A globally routable unicast address (an IPv4-mapped IPv6 address counts as its IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def url_shape_problem(url: str) -> str | None:
    """Why `url` is not an http(s) URL with a host, or None."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return gettext("The URL must start with http:// or https:// and name a host.")
    if len(url) > 500:
        return gettext("The URL must be at most 500 characters.")
    return None


def url_address_problem(url: str) -> str | None:
    """Why `url`'s host is not a public address (resolving it), or None."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return gettext("The host “%(host)s” does not resolve.") % {"host": host}
    for *_ignored, sockaddr in infos:
        # Only a text address can be checked; any other form is refused, not waved through.
        if not isinstance(sockaddr[0], str) or not address_is_public(sockaddr[0]):
            return gettext(
                "The host “%(host)s” resolves to %(address)s, a loopback, private or "
                "link-local address; webhooks go to public addresses only."
            ) % {"host": host, "address": sockaddr[0]}
    return None
