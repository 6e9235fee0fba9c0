"""The ceiling of contact intake: a bare Django view that inserts one row, served by the same
`andon serve` process with the same settings and middleware as the API.

The server runs with DJANGO_SETTINGS_MODULE=bench.bare_settings (Andon's settings, this module
as the URLconf): Andon's URLs plus `POST /bench/bare`, which reads a JSON body and inserts it
into one table (`bench_bare`, made by `bare_table`) with one INSERT in the request's own
transaction: what a write costs a Django process on this machine when it does nothing else.
"""

from __future__ import annotations

import json

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from andon.config.urls import urlpatterns as andon_urlpatterns

PATH = "/bench/bare"


def bare_table() -> None:
    """The table the bare view writes to (made by the bench before the server starts)."""
    key = "bigserial" if connection.vendor == "postgresql" else "integer"
    with connection.cursor() as cur:
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS bench_bare (id {key} PRIMARY KEY, "
            "at timestamp NOT NULL, body text NOT NULL)"
        )


@csrf_exempt
def bare(request: HttpRequest) -> HttpResponse:
    body = json.loads(request.body)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO bench_bare (at, body) VALUES (CURRENT_TIMESTAMP, %s) RETURNING id",
            [json.dumps(body, ensure_ascii=False)],
        )
        (row_id,) = cur.fetchone()
    return JsonResponse({"id": row_id}, status=201)


urlpatterns = [path(PATH.lstrip("/"), bare), *andon_urlpatterns]
