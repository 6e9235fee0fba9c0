"""The bonus ledger: an agent's credits for valid pulls (never a debit)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from pydantic import BaseModel

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
    amount: Decimal
    currency: str
    credited_at: dt.datetime


class BonusesOut(BaseModel):
    agent: str
    month: str | None
    total: Decimal
    credits: list[CreditOut]


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
    credits = credits_of(agent_id=user.pk, since=since, until=until)
    return BonusesOut(
        agent=agent,
        month=month,
        total=sum((c.amount for c in credits), Decimal("0.00")),
        credits=[
            CreditOut(
                andon_id=c.andon_id,
                sku=c.andon.product.sku,
                reason=c.andon.reason.code,
                amount=c.amount,
                currency=c.currency,
                credited_at=c.credited_at,
            )
            for c in credits
        ],
    )
