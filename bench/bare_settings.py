"""Andon's settings with bench/bare.py as the URLconf: the API plus the bare one-row view."""

from andon.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare"
