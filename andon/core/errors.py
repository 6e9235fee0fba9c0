"""Typed domain errors with stable codes; the API turns them into RFC 9457 problem details."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refusal the caller can act on. `code` is stable; `detail` is for people,
    already in the request's language; `title` is lazy and renders in it too."""

    code = "domain-error"
    status = 422
    title = _("The request cannot be carried out")

    def __init__(self, detail: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra


class NotFound(DomainError):
    code = "not-found"
    status = 404
    title = _("Not found")


class UnknownReference(DomainError):
    """A body names something (SKU, reason, order line) that does not exist."""

    code = "unknown-reference"
    status = 422
    title = _("Unknown reference")


class InvalidInput(DomainError):
    code = "invalid-input"
    status = 422
    title = _("Invalid input")


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
    title = _("Not allowed for your role")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    title = _("Conflicts with the current state")
