"""Links into the console that other pages (and other apps' pages) share."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse


def cord_url(sku: str, reason: str, problem: int | None = None) -> str:
    """The product page with one reason's cord already open and its line focused; with a
    detected problem, that problem's cord instead (its line prefilled with the problem).

    No `#fragment`: a URL with one makes Chromium skip `autofocus` ("Autofocus processing was
    blocked because a document's URL has a fragment"), which costs the agent a click; the
    focused input scrolls itself into view."""
    query = {"cord": reason, **({"problem": str(problem)} if problem is not None else {})}
    return f"{reverse('web:product', kwargs={'sku': sku})}?{urlencode(query)}"
