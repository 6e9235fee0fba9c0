"""Playwright helpers for console tests: Debian's Chromium, one context per person, sign-in
through the login page, screenshots as test artifacts (see SHOTS)."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# Every run saves its screenshots as test artifacts; ANDON_UPDATE_SCREENSHOTS=1 refreshes the
# README's copies in docs/screenshots instead (so a plain test run leaves the tree clean).
_ROOT = Path(__file__).resolve().parents[2]
SHOTS = (
    _ROOT / "docs" / "screenshots"
    if os.environ.get("ANDON_UPDATE_SCREENSHOTS") == "1"
    else _ROOT / "tests" / "artifacts" / "screenshots"
)
VIEWPORT = {"width": 1280, "height": 800}
# The browser's language is what picks the console's language (no switch pressed).
BROWSER_LOCALE = {"zh-hans": "zh-CN", "en": "en-US"}


def sign_in(
    browser: Browser, base_url: str, username: str, lang: str, viewport: dict | None = None
) -> Page:
    context = browser.new_context(
        locale=BROWSER_LOCALE[lang], viewport=viewport or VIEWPORT, base_url=base_url
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"{username}-pass")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def shot(page: Page, name: str, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)
