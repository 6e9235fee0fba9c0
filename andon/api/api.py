from django.http import Http404
from ninja.errors import HttpError, ValidationError

from andon import __version__
from andon.core.errors import DomainError

from . import (
    andons,
    bonuses,
    contacts,
    detection,
    flywheel,
    imports,
    inbound,
    integrity,
    kpis,
    launches,
    listing_events,
    membership,
    membership_kpis,
    orders,
    proactive,
    products,
    recovery,
    reviews,
    webhooks,
    work_orders,
)
from .auth import BearerToken
from .docs import OfflineSwagger
from .guard import input_guard
from .openapi import DocumentedNinjaAPI
from .problems import on_domain_error, on_http_error, on_not_found, on_validation_error
from .renderers import ReadableJSONRenderer

api = DocumentedNinjaAPI(
    title="Andon API",
    version=__version__,
    description=(
        "Let the customer's voice stop the line. Bearer tokens: `andon token create USERNAME`. "
        "Errors are RFC 9457 problem details (`application/problem+json`) naming the `field`. "
        "Every POST and PATCH honours an `Idempotency-Key` header: a retry with the same key "
        "replays the first answer (header `Idempotent-Replayed: true`) and writes nothing; "
        "a replayed answer never carries a secret (`null`). "
        "Every input is refused with 422 naming the field when a string holds a NUL "
        "character, an integer exceeds 64 bits, a UTC offset lies beyond ±15:59 or a year "
        "outside 1900-2999; dates are ISO 8601 strings. A body over the server's limit "
        "(2.5 MB by default) is a 413."
    ),
    auth=BearerToken(),
    urls_namespace="api-v1",
    docs_url="/docs",
    docs=OfflineSwagger(),
    renderer=ReadableJSONRenderer(),
)
# ninja types a handler's argument as "the exception or its class" (ExcHandler), but it only
# ever passes the raised instance, which is what our handlers take: its hint is too wide.
api.add_exception_handler(DomainError, on_domain_error)  # type: ignore[arg-type]
api.add_exception_handler(ValidationError, on_validation_error)  # type: ignore[arg-type]
api.add_exception_handler(HttpError, on_http_error)  # type: ignore[arg-type]
api.add_exception_handler(Http404, on_not_found)  # type: ignore[arg-type]
# After validation, before every route: what no database takes (NUL, >64-bit ints, ...).
api.add_decorator(input_guard, mode="operation")

# The cord first, then integrations, then accountability: the order of the OpenAPI tags.
for module in (
    products,
    orders,
    contacts,
    andons,
    proactive,
    work_orders,
    webhooks,
    listing_events,
    imports,
    inbound,
    reviews,
    kpis,
    bonuses,
    recovery,
    membership,
    membership_kpis,
    launches,
    detection,
    flywheel,
    integrity,
):
    api.add_router("", module.router)
