"""The API's guard: what no route has to think about, in one place.

Two halves. `input_guard` is an operation decorator of the whole API: it runs after ninja
(pydantic) has validated a request's path, query and body and before the route, and refuses
the values that every database rejects or that some reject with a crash: a NUL character in
any string (PostgreSQL text), an integer beyond 64 bits (SQLite, PostgreSQL bigint), a UTC
offset beyond ±15:59 (PostgreSQL timestamptz) and dates outside the years the product deals in
(a year-1 or year-9999 date overflows on the first conversion to UTC). It answers 422 problem
details naming the field, like any other invalid input, before a route reads or writes
anything. It runs after authentication, so an anonymous caller still gets 401 first.

`ApiGuardMiddleware` wraps every /api/ request: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is
refused with 413 before anything reads it, and any error answer that is not problem details
(Django's 404 for an unknown path, ninja's 405, a crash's 500 page) is turned into problem
details with the same status, so a client parses every error one way. A crash is still
logged and reported by Django first: the middleware only rewrites the answer.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja.errors import ValidationError
from pydantic import BaseModel, BeforeValidator

from .problems import CONTENT_TYPE, problem_response

INT_MIN, INT_MAX = -(2**63), 2**63 - 1
# PostgreSQL's timestamptz takes offsets up to ±15:59; real ones stop at +14:00.
OFFSET_MAX = dt.timedelta(hours=15, minutes=59)
YEAR_MIN, YEAR_MAX = 1900, 2999
PREFIX = "/api/"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _iso_only(value: Any) -> Any:
    # pydantic also reads a number as a Unix timestamp ("0" is 1970-01-01): the schema says
    # an ISO 8601 string, and a KPI period "since 0" is a mistake, not a request.
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DATE.match(value)):
        return value
    raise ValueError("must be an ISO 8601 date (YYYY-MM-DD) or date-time string")


# Dates and date-times of the API's input: ISO 8601 strings only.
IsoDate = Annotated[dt.date, BeforeValidator(_iso_only)]
IsoDateTime = Annotated[dt.datetime, BeforeValidator(_iso_only)]


def _refusals(value: Any, loc: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(where, why) for every value a database would choke on, depth first."""
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _refusals(getattr(value, name), (*loc, name))
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and "\x00" in key:
                yield (*loc, key), _("must not contain the NUL character (\\u0000)")
            yield from _refusals(item, (*loc, key))
    elif isinstance(value, list | tuple | set | frozenset):
        for i, item in enumerate(value):
            yield from _refusals(item, (*loc, i))
    elif isinstance(value, str):
        if "\x00" in value:
            yield loc, _("must not contain the NUL character (\\u0000)")
    elif isinstance(value, bool | Decimal | float):
        return
    elif isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            yield loc, _("must be a 64-bit integer (between -2^63 and 2^63-1)")
    elif isinstance(value, dt.datetime):
        offset = value.utcoffset()
        if offset is not None and abs(offset) > OFFSET_MAX:
            yield loc, _("the UTC offset must be between -15:59 and +15:59")
        else:
            yield from _year(value, loc)
    elif isinstance(value, dt.date):
        yield from _year(value, loc)


def _year(value: dt.date, loc: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        limits = {"min": YEAR_MIN, "max": YEAR_MAX}
        yield loc, _("the year must be between %(min)d and %(max)d") % limits


def input_guard(view: Callable[..., Any]) -> Callable[..., Any]:
    """Operation decorator (after validation): see the module's docstring."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **values: Any) -> Any:
        errors = []
        for name, value in values.items():
            # A body or query schema is named by its fields; a path or query scalar by itself.
            loc: tuple[Any, ...] = ("body",) if isinstance(value, BaseModel) else ("query", name)
            for where, message in _refusals(value, loc):
                errors.append({"loc": list(where), "msg": message, "type": "value_error"})
        if errors:
            raise ValidationError(errors)
        return view(request, *args, **values)

    return guarded


def body_too_large(request: HttpRequest) -> bool:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False  # Django itself refuses a malformed length
    return limit is not None and length > limit


_GENERIC = {
    400: ("bad-request", _("Bad request"), _("The request could not be understood.")),
    404: ("not-found", _("Not found"), _("There is no such API resource.")),
    405: (
        "method-not-allowed",
        _("Method not allowed"),
        _("This resource does not answer that HTTP method."),
    ),
    413: ("body-too-large", _("Request body too large"), _("The request body is too large.")),
    500: (
        "server-error",
        _("Server error"),
        _("The server failed to answer this request. The error was logged."),
    ),
}


def _as_problem(response: HttpResponseBase) -> HttpResponse:
    status = response.status_code
    code, title, detail = _GENERIC.get(
        status, (f"http-{status}", _("Request failed"), _("The request failed."))
    )
    out = problem_response(status=status, code=code, title=str(title), detail=str(detail))
    if allow := response.get("Allow"):
        out["Allow"] = allow
    return out


class ApiGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        if body_too_large(request):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return problem_response(
                status=413,
                code="body-too-large",
                title=_("Request body too large"),
                detail=_("The request body may be at most %(bytes)d bytes; send fewer rows.")
                % {"bytes": limit},
                field="body",
            )
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            CONTENT_TYPE
        ):
            return _as_problem(response)
        return response
