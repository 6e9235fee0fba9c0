"""Writing the bonus ledger. Called by the review service inside its transaction: when a pull
is found valid (a credit), and when a verdict is corrected (a reversal, or a credit again).
Each function owns a savepoint of its own so that it composes.

Contract: the ledger is append-only. Per andon and agent its lines alternate credit,
reversal, credit... (`sequence` 1, 2, 3...; unique), so whoever calls and however often, a
pull has at most one standing credit and a reversal always cancels one: a second credit
while one stands returns None and writes nothing; a reversal with nothing standing writes
nothing. Never a fine: a reversal takes back a bonus that was paid, and only that.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from andon.core.services import Audit, Event, audit_record, outbox_emit

from .models import BonusCredit, EntryKind
from .selectors import bonus_policy, standing_lines


@transaction.atomic
def bonus_credit(
    *,
    andon_id: int,
    agent_id: int,
    agent_username: str,
    actor_id: int | None,
    at: dt.datetime,
    note: str = "",
) -> BonusCredit | None:
    """Credit a valid pull; None when its credit stands already. Credited again after a
    reversal (a verdict corrected back to valid), the pull earns what it earned the first time,
    not a changed policy's amount."""
    last = (
        BonusCredit.objects.filter(andon_id=andon_id, agent_id=agent_id)
        .order_by("-sequence")
        .first()
    )
    if last is not None and last.kind == EntryKind.CREDIT:
        return None
    if last is None:
        policy = bonus_policy()
        amount, currency, sequence = policy.amount_per_valid_pull, policy.currency, 1
    else:
        amount, currency, sequence = -last.amount, last.currency, last.sequence + 1
    credit = _append(
        BonusCredit(
            agent_id=agent_id,
            andon_id=andon_id,
            kind=EntryKind.CREDIT,
            sequence=sequence,
            amount=amount,
            currency=currency,
            credited_at=at,
            note=note,
        )
    )
    if credit is None:
        return None
    data = {
        "agent": agent_username,
        "amount": str(credit.amount),
        "currency": credit.currency,
        "line": credit.sequence,
    }
    audit_record(
        actor_id=actor_id,
        at=at,
        entries=[Audit("bonus.credited", "andon", andon_id, andon_id, data)],
    )
    outbox_emit(at=at, events=[Event("bonus.credited", {"andon_id": andon_id, **data})])
    return credit


@transaction.atomic
def bonus_reverse(
    *, andon_id: int, actor_id: int | None, at: dt.datetime, note: str
) -> list[BonusCredit]:
    """Reverse the standing credit of every agent paid for the pull (its verdict was corrected
    to invalid): one reversal line each, of exactly the amount credited. Returns the reversals;
    none when nothing stands (never reviewed valid, or reversed already)."""
    reversals = []
    for credit in standing_lines(andon_id=andon_id):
        reversal = _append(
            BonusCredit(
                agent=credit.agent,
                andon_id=andon_id,
                kind=EntryKind.REVERSAL,
                sequence=credit.sequence + 1,
                reverses=credit,
                amount=-credit.amount,
                currency=credit.currency,
                credited_at=at,
                note=note,
            )
        )
        if reversal is not None:
            reversals.append(reversal)
    if not reversals:
        return []
    entries, events = [], []
    for r in reversals:
        data = {
            "agent": r.agent.get_username(),
            "amount": str(r.amount),
            "currency": r.currency,
            "line": r.sequence,
            "reverses_credited_at": r.reverses.credited_at.isoformat() if r.reverses else None,
            "reason": note,
        }
        entries.append(Audit("bonus.reversed", "andon", andon_id, andon_id, data))
        events.append(Event("bonus.reversed", {"andon_id": andon_id, **data}))
    audit_record(actor_id=actor_id, at=at, entries=entries)
    outbox_emit(at=at, events=events)
    return reversals


def _append(line: BonusCredit) -> BonusCredit | None:
    try:
        with transaction.atomic():
            line.save(force_insert=True)
            return line
    except IntegrityError:
        # A concurrent review wrote this line of the pull first: once is once.
        return None
