"""The bonus ledger: an agent's credits for valid pulls, and the corrections that reverse one
when a verdict is corrected to invalid (never a fine)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Literal

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from pydantic import BaseModel, Field

from andon.core.errors import Forbidden, InvalidInput
from andon.incentives.selectors import credits_of, month_bounds
from andon.people.rules import may_see_kpis
from andon.people.selectors import roles_of

from .problems import Problem

router = Router(tags=["bonuses"])
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class CreditOut(BaseModel):
    andon_id: int
    sku: str
    reason: str
    kind: Literal["credit", "reversal"] = Field(
        description="`credit`: a valid pull's bonus. `reversal`: a correction that takes back "
        "an earlier credit of the same pull because its verdict was corrected to invalid."
    )
    amount: Decimal = Field(description="Negative for a reversal (exactly the credit reversed).")
    currency: str
    credited_at: dt.datetime
    reverses_credited_at: dt.datetime | None = Field(
        None, description="For a reversal: when the credit it takes back was written."
    )
    note: str = Field("", description="Why (the reason given for the verdict's correction).")


class BonusesOut(BaseModel):
    agent: str
    month: str | None
    total: Decimal = Field(description="Credits less corrections.")
    credited: Decimal = Field(description="Sum of the credits.")
    corrected: Decimal = Field(description="Sum of the reversals (zero or negative).")
    credits: list[CreditOut] = Field(description="Every ledger line, oldest first.")


@router.get("/bonuses", response={200: BonusesOut, 403: Problem, 422: Problem})
def bonuses_list(
    request: HttpRequest,
    agent: str,
    month: str | None = None,
):
    """An agent's bonus credits, all or of one `month` (YYYY-MM). Agents see their own; team
    leads and admins see anyone's."""
    if month is not None and not MONTH.fullmatch(month):
        raise InvalidInput(_("The month is written YYYY-MM."), field="month")
    if agent != request.user.get_username() and not may_see_kpis(roles_of(request.user)):
        raise Forbidden(_("Agents see their own bonuses only."), field="agent")
    user = User.objects.filter(username=agent).first()
    if user is None:
        raise InvalidInput(_("No user '%(username)s'.") % {"username": agent}, field="agent")
    since = until = None
    if month:
        since, until = month_bounds(int(month[:4]), int(month[5:]))
    lines = credits_of(agent_id=user.pk, since=since, until=until)
    credited = sum((c.amount for c in lines if not c.is_reversal), Decimal("0.00"))
    corrected = sum((c.amount for c in lines if c.is_reversal), Decimal("0.00"))
    return BonusesOut(
        agent=agent,
        month=month,
        total=credited + corrected,
        credited=credited,
        corrected=corrected,
        credits=[
            CreditOut(
                andon_id=c.andon_id,
                sku=c.andon.product.sku,
                reason=c.andon.reason.code,
                kind="reversal" if c.is_reversal else "credit",
                amount=c.amount,
                currency=c.currency,
                credited_at=c.credited_at,
                reverses_credited_at=c.reverses.credited_at if c.reverses else None,
                note=c.note,
            )
            for c in lines
        ],
    )
