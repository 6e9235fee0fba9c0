"""Domain refusals for the console. The domain words its refusals in the request's language
(LocaleMiddleware picks it: the header's switch, else the browser's), so the console shows
them as they are; this is the one place to change if the console ever needs its own words."""

from __future__ import annotations

from andon.core.errors import DomainError


def explain(e: DomainError) -> str:
    return str(e.detail)
