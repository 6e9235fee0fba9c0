"""Bulk import, idempotent by external ids: JSON arrays of rows, thousands per request."""

from __future__ import annotations

from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Body, Router
from pydantic import BaseModel, Field

from andon.core.errors import Forbidden, InvalidInput
from andon.core.http import AuthenticatedRequest
from andon.integrations.imports import rows_import
from andon.people import rules as people_rules
from andon.people.selectors import roles_of

from .problems import Problem

router = Router(tags=["imports"])

MAX_ROWS = 20_000
Kind = Literal[
    "warehouses",
    "products",
    "batches",
    "stock",
    "customers",
    "orders",
    "contacts",
    "people",
    "andon-history",
    "memberships",
]


class RejectedOut(BaseModel):
    row: int = Field(description="1-based position in the array")
    field: str
    reason: str


class ImportOut(BaseModel):
    created: int
    updated: int
    unchanged: int
    rejected: list[RejectedOut]


@router.post("/imports/{kind}", response={200: ImportOut, 403: Problem, 422: Problem})
def import_rows(
    request: AuthenticatedRequest,
    kind: Kind,
    rows: list[dict[str, Any]] = Body(..., max_length=MAX_ROWS),
):
    """Create or update rows by their external ids (SKU, warehouse code, batch code, customer
    id, order number + line, contact id). Good rows go in, bad ones come back with row, field
    and reason; sending the same rows again changes nothing; a row repeating an earlier row's
    key is rejected, naming that row (the first wins). Orders: one row per line, the
    order's fields repeated. Contacts: external_id, customer, order, line_no, reason, text,
    channel, created_at, agent (username), handling_seconds; they count as evidence but never
    pull the cord, and their customer, line, reason, agent and time never change. Never
    changes a listing status, nor a line or a stock quantity on hold by an open andon.
    Memberships: customer, plan, state, started_at, ends_at, auto_renew, one row per customer,
    each applied as PUT /customers/{external_id}/membership applies it (history and events)."""
    if not people_rules.may_load_catalog(roles_of(request.user)):
        raise Forbidden(_("Only integrators and admins import."))
    if kind == "people" and not people_rules.may_configure(roles_of(request.user)):
        # Roles and teams are access rights: only an admin loads them.
        raise Forbidden(_("Only admins import people."))
    if not rows:
        raise InvalidInput(_("Send a non-empty JSON array of rows."), field="body")
    result = rows_import(actor=request.user, kind=kind, rows=rows)
    return ImportOut(
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        rejected=[RejectedOut(**r.__dict__) for r in result.rejected],
    )
