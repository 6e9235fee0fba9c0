"""Delivery knobs, from Django settings or the environment (tests and benches shorten them).

ANDON_WEBHOOK_ALLOW_PRIVATE_NETWORKS (default True, for the embedded default on a laptop and
the tests, whose receivers listen on 127.0.0.1): production should set it to False, so that
endpoints can only point at public addresses (see addresses.py)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from django.conf import settings

from . import rules


def _seconds(name: str, default: dt.timedelta) -> dt.timedelta:
    raw = getattr(settings, name, None)
    if raw is None:
        raw = os.environ.get(name)
    return default if raw in (None, "") else dt.timedelta(seconds=float(raw))


@dataclass(frozen=True)
class DeliveryConf:
    timeout: dt.timedelta
    first_retry: dt.timedelta
    retry_for: dt.timedelta

    @property
    def lease(self) -> dt.timedelta:
        """How long a claim keeps other workers away: longer than any POST can take."""
        return self.timeout * 2 + dt.timedelta(seconds=1)


def allow_private_networks() -> bool:
    raw = getattr(settings, "ANDON_WEBHOOK_ALLOW_PRIVATE_NETWORKS", None)
    if raw is None:
        raw = os.environ.get("ANDON_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true")
    if isinstance(raw, str):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return bool(raw)


def delivery_conf() -> DeliveryConf:
    return DeliveryConf(
        timeout=_seconds("ANDON_WEBHOOK_TIMEOUT", dt.timedelta(seconds=10)),
        first_retry=_seconds("ANDON_WEBHOOK_FIRST_RETRY", rules.FIRST_DELAY),
        retry_for=_seconds("ANDON_WEBHOOK_RETRY_FOR", rules.RETRY_FOR),
    )
