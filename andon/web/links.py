"""Links into the console that other pages (and other apps' pages) share."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse


def cord_url(sku: str, reason: str) -> str:
    """The product page with one reason's cord already open and its line focused.

    No `#fragment`: a URL with one makes Chromium skip `autofocus` ("Autofocus processing was
    blocked because a document's URL has a fragment"), which costs the agent a click; the
    focused input scrolls itself into view."""
    return f"{reverse('web:product', kwargs={'sku': sku})}?{urlencode({'cord': reason})}"
