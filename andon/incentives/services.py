"""Crediting the bonus. Called by the review service inside its transaction when a pull is
found valid; owns a savepoint of its own so that it composes.

Contract: at most one credit per andon and agent, whoever calls and however often (the
unique constraint decides; a second call returns None and writes nothing). Never debits.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from andon.core.services import Audit, Event, audit_record, outbox_emit

from .models import BonusCredit
from .selectors import bonus_policy


@transaction.atomic
def bonus_credit(
    *, andon_id: int, agent_id: int, agent_username: str, actor_id: int | None, at: dt.datetime
) -> BonusCredit | None:
    """Credit the policy's amount for a valid pull; None when already credited."""
    if BonusCredit.objects.filter(andon_id=andon_id, agent_id=agent_id).exists():
        return None
    policy = bonus_policy()
    try:
        with transaction.atomic():
            credit = BonusCredit.objects.create(
                agent_id=agent_id,
                andon_id=andon_id,
                amount=policy.amount_per_valid_pull,
                currency=policy.currency,
                credited_at=at,
            )
    except IntegrityError:
        # A concurrent review credited it first: once is once.
        return None
    data = {"agent": agent_username, "amount": str(credit.amount), "currency": credit.currency}
    audit_record(
        actor_id=actor_id,
        at=at,
        entries=[
            Audit("bonus.credited", "andon", andon_id, andon_id, data),
        ],
    )
    outbox_emit(at=at, events=[Event("bonus.credited", {"andon_id": andon_id, **data})])
    return credit
