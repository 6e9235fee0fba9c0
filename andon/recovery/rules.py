"""The rules of service recovery, in words and in code. Pure: no database.

- Agents (and team leads) give recovery from the catalogue on a contact, without asking
  anyone (SPEC: "Service recovery empowerment"; the talk: the agent who believed the
  customer, shipped a new copy, gave a 5 CNY coupon and a membership in a couple of minutes).
- Each role has a guide limit per action. Above it the action is "unusual": the agent types
  one line saying why. That line is the whole cost of being generous; there is no approval,
  no queue and no setting that adds one.
- Without a guide limit for any of the agent's roles, nothing is unusual.
- Costs are in CNY, zero or more; notes and reasons are one line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext as _

from andon.core.errors import InvalidInput
from andon.people.rules import Role, Roles

LINE_MAX = 200
COST_MAX = Decimal("100000")


class Kind(StrEnum):
    REPLACEMENT = "replacement"
    REFUND = "refund"
    COUPON = "coupon"
    MEMBERSHIP = "membership"
    RETURN_WAIVED = "return_waived"
    PHOTO_WAIVED = "photo_waived"


def guide_for(r: Roles, limits: Mapping[str, Decimal]) -> Decimal | None:
    """The most generous guide among the person's roles (role -> max cost); None: no guide."""
    held = [limit for role, limit in limits.items() if r.has(Role(role))]
    return max(held) if held else None


def is_unusual(cost: Decimal, guide: Decimal | None) -> bool:
    """Above the guide: the agent writes one line of reason. Never an approval."""
    return guide is not None and cost > guide


def one_line(text: str, field: str) -> str:
    text = (text or "").strip()
    if "\n" in text or "\r" in text:
        raise InvalidInput(_("One line: no line breaks."), field=field)
    if len(text) > LINE_MAX:
        raise InvalidInput(
            _("At most %(max)d characters (this one has %(n)d).")
            % {"max": LINE_MAX, "n": len(text)},
            field=field,
        )
    return text


def check_cost(cost: Decimal) -> Decimal:
    if cost < 0 or cost > COST_MAX:
        raise InvalidInput(
            _("The cost is between 0 and %(max)s CNY.") % {"max": COST_MAX}, field="cost"
        )
    return cost.quantize(Decimal("0.01"))


def check_reason(*, unusual: bool, reason: str) -> str:
    """Above the guide, one line of reason is needed; that is all that is ever needed."""
    reason = one_line(reason, "reason_above_guide")
    if unusual and not reason:
        raise InvalidInput(
            _("This is above the usual guide for your role: add one line saying why."),
            field="reason_above_guide",
        )
    return reason


def total_cost(costs: Iterable[Decimal]) -> Decimal:
    return sum(costs, Decimal("0.00"))
