"""Domain errors in the reader's language. Some details in the domain files are plain English
(not marked for translation); the console words them here from the error's type and field,
and falls back to the domain's own detail (already translated where the domain marks it)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from andon.core.errors import DomainError
from andon.workorders.models import WorkOrder
from andon.workorders.rules import FINDINGS_MAX, REOPEN_REASON_MAX

# Exact details of the domain services, worded for people in every language.
_FIXED = {
    "Only agents and team leads record contacts.":
        lambda: _("Only agents and team leads record contacts."),
    "Only agents and team leads pull the cord.":
        lambda: _("Only agents and team leads pull the cord."),
    "Only service confirmers confirm or reopen work orders.":
        lambda: _("Only service confirmers confirm or reopen work orders."),
    "Findings are required to resolve a work order.":
        lambda: _("Findings are required to resolve a work order."),
}


def explain(e: DomainError) -> str:
    fixed = _FIXED.get(e.detail)
    if fixed is not None:
        return fixed()
    if e.code == "forbidden" and e.field == "department":
        return _("Only members of this work order's department act on it.")
    if e.code == "illegal-transition":
        states = dict(WorkOrder.STATE_CHOICES)
        state = e.extra.get("state", "")
        return _("This work order is “%(state)s” now: this step is not possible.") % {
            "state": states.get(state, state)}
    if e.field == "findings":
        return _("Write the findings in 1 to %(max)d characters.") % {"max": FINDINGS_MAX}
    if e.field == "reason" and e.code == "invalid-input" and "Say why" in e.detail:
        return _("Say why in 1 to %(max)d characters.") % {"max": REOPEN_REASON_MAX}
    if e.code == "customer-mismatch":
        return _("This order belongs to another customer.")
    if e.code in ("unknown-order-line", "order-line-not-found"):
        return _("This order has no such line.")
    if e.code == "unknown-reason":
        return _("This reason code does not exist or is no longer active.")
    if e.field == "reason" and e.code == "invalid-input" and "routes to no department" in e.detail:
        return _("This reason routes to no department: an admin must set its routing first.")
    if e.field == "holds":
        return _("Some of these holds belong to another andon.")
    return e.detail
