"""RFC 9457 problem details: every 4xx names what was wrong and, where it can, the field."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import BaseModel

from andon.core.errors import DomainError

CONTENT_TYPE = "application/problem+json"


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, with `code` (stable) and `field` (what to fix)."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    field: str | None = None
    errors: list[FieldError] = []
    eligibility: dict[str, Any] | None = None


def problem_response(
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    field: str | None = None,
    errors: list[dict] | None = None,
    **extra: Any,
) -> HttpResponse:
    body = {
        "type": f"urn:andon:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "field": field,
        "errors": errors or [],
        **extra,
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str), status=status, content_type=CONTENT_TYPE
    )


def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return problem_response(
        status=exc.status,
        code=exc.code,
        title=str(exc.title),  # lazy: rendered in the request's language
        detail=exc.detail,
        field=exc.field,
        **exc.extra,
    )


def _field_of(loc: list[Any]) -> str:
    # ninja reports ("body", "payload", "note"); the client knows the field as "note".
    # A path echoes the client's keys: a NUL in one is written escaped, never sent back.
    parts = [str(p).replace("\x00", "\\u0000") for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
        if parts and parts[0] == "payload":
            parts = parts[1:]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out or "body"


def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _field_of(e.get("loc", [])), "message": e.get("msg", "invalid")}
        for e in exc.errors
    ]
    first = errors[0] if errors else {"field": "body", "message": "invalid"}
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem_response(
        # The messages are pydantic's (English); the field names are the API's own.
        status=422,
        code="invalid-input",
        title=_("Invalid input"),
        detail=detail,
        field=first["field"],
        errors=errors,
    )


def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        return problem_response(
            status=401,
            code="unauthenticated",
            title=_("Authentication required"),
            detail=_(
                "Send “Authorization: Bearer <token>”; `andon token create USERNAME` makes one."
            ),
        )
    if exc.status_code == 400 and "parse request body" in str(exc):
        return problem_response(
            status=400,
            code="malformed-json",
            title=_("Malformed JSON"),
            detail=_("The request body is not valid JSON."),
            field="body",
        )
    return problem_response(
        status=exc.status_code, code=f"http-{exc.status_code}", title=str(exc), detail=str(exc)
    )


def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(
        status=404, code="not-found", title=_("Not found"), detail=str(exc) or _("Not found")
    )
