"""The API docs page in a real Chromium with every other host cut off: Swagger UI renders the
whole API from Andon's own files."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_the_api_with_no_request_leaving_andon(browser, live_server):
    own = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []
    context = browser.new_context()
    context.set_default_timeout(20_000)

    def only_andon(route):
        if urlsplit(route.request.url).netloc == own:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_andon)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{live_server.url}/api/v1/docs")
        page.wait_for_selector(".swagger-ui .opblock-summary-path")
        assert page.locator(".swagger-ui .opblock").count() > 10
        assert page.locator(".swagger-ui .info .title").inner_text().startswith("Andon API")
        assert page.locator(".swagger-ui .btn.authorize").count() == 1
        assert "/api/v1/andons" in page.locator(".swagger-ui").inner_text()
    finally:
        context.close()
    assert elsewhere == []
    assert errors == []
