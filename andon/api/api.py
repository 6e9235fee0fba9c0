from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from andon import __version__
from andon.core.errors import DomainError

from . import (
    andons,
    bonuses,
    contacts,
    detection,
    imports,
    integrity,
    kpis,
    listing_events,
    orders,
    products,
    recovery,
    reviews,
    webhooks,
    work_orders,
)
from .auth import BearerToken
from .problems import on_domain_error, on_http_error, on_not_found, on_validation_error
from .renderers import ReadableJSONRenderer

api = NinjaAPI(
    title="Andon API",
    version=__version__,
    description=(
        "Let the customer's voice stop the line. Bearer tokens: `andon token create USERNAME`. "
        "Errors are RFC 9457 problem details (`application/problem+json`) naming the `field`. "
        "Every POST and PATCH honours an `Idempotency-Key` header: a retry with the same key "
        "replays the first answer (header `Idempotent-Replayed: true`) and writes nothing."
    ),
    auth=BearerToken(),
    urls_namespace="api-v1",
    docs_url="/docs",
    renderer=ReadableJSONRenderer(),
)
# ninja types a handler's argument as "the exception or its class" (ExcHandler), but it only
# ever passes the raised instance, which is what our handlers take: its hint is too wide.
api.add_exception_handler(DomainError, on_domain_error)  # type: ignore[arg-type]
api.add_exception_handler(ValidationError, on_validation_error)  # type: ignore[arg-type]
api.add_exception_handler(HttpError, on_http_error)  # type: ignore[arg-type]
api.add_exception_handler(Http404, on_not_found)  # type: ignore[arg-type]

# The cord first, then integrations, then accountability: the order of the OpenAPI tags.
for module in (
    products,
    orders,
    contacts,
    andons,
    work_orders,
    webhooks,
    listing_events,
    imports,
    reviews,
    kpis,
    bonuses,
    recovery,
    detection,
    integrity,
):
    api.add_router("", module.router)
