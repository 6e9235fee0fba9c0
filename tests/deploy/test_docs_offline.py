"""The API docs page works offline: vendored Swagger UI, nothing from another host."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from andon.api.docs import SWAGGER_UI_VERSION

VENDORED = Path(__file__).resolve().parents[2] / "andon/api/static/api/swagger-ui"


@pytest.mark.django_db
def test_the_docs_page_references_only_local_static_files_and_they_are_served(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    # No other host anywhere in the page: no CDN, no validator, no font service.
    assert not re.search(r"https?://|//[a-z0-9-]+\.", html, re.I), html
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/api/swagger-ui/swagger-ui-bundle.js" in urls
    assert "/static/api/swagger-ui/swagger-ui.css" in urls
    for url in urls:
        assert url.startswith("/static/"), url
        served = client.get(url)
        assert served.status_code == 200, url
        body = b"".join(served.streaming_content)
        assert len(body) > 100, url
    bundle = client.get("/static/api/swagger-ui/swagger-ui-bundle.js")
    assert bundle["Content-Type"].startswith(("text/javascript", "application/javascript"))
    # The page points Swagger UI at this API's own OpenAPI document, and at no validator.
    assert '"url": "/api/v1/openapi.json"' in html and '"validatorUrl": null' in html


def test_the_vendored_files_carry_their_version_and_licence():
    notes = (VENDORED / "README.md").read_text()
    assert f"swagger-ui-dist` **{SWAGGER_UI_VERSION}**" in notes
    assert "Apache License 2.0" in notes
    assert "Apache License" in (VENDORED / "LICENSE").read_text()
    assert "SmartBear" in (VENDORED / "NOTICE").read_text()
    first_line = (VENDORED / "swagger-ui-bundle.js").read_text().partition("\n")[0]
    assert "swagger-ui-bundle.js.LICENSE.txt" in first_line
    assert (VENDORED / "swagger-ui-bundle.js.LICENSE.txt").exists()
    assert finders.find("api/swagger-ui/swagger-ui-bundle.js")
