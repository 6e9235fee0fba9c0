"""The API docs page from vendored Swagger UI files (static/api/swagger-ui), never a CDN.

django-ninja's own Swagger page takes its files from a CDN unless `ninja` is an installed
app; Andon serves its own copy, with version and licence beside it, so the page works on an
intranet or offline.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI

SWAGGER_UI_VERSION = "5.35.0"


class OfflineSwagger(Swagger):
    template = "api/docs.html"
    default_settings = {
        "layout": "BaseLayout",
        "deepLinking": True,
        # Swagger UI would otherwise send the OpenAPI document to its online validator.
        "validatorUrl": None,
    }

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        # json.dumps does not escape "</": a settings value could end the script element.
        payload = json.dumps(settings).replace("<", "\\u003c")
        return render(request, self.template, {"swagger_settings": payload, "api": api})
