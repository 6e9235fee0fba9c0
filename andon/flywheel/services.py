"""Writes of the flywheel: the silent-cord alarms the check finds (each written once, with its
outbox event `flywheel.alarm` in the same transaction) and the inbox's read marks."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from andon.core.services import Event, outbox_emit
from andon.pulls.selectors import andons_existing

from . import alarms as alarm_reads
from . import summaries
from .models import InboxRead, SilentCordAlarm


def alarm_payload(a: SilentCordAlarm, team_code: str, lead_id: int | None) -> dict:
    return {
        "team": team_code,
        "team_lead_id": lead_id,
        "period": a.period,
        "period_start": a.period_start.isoformat(),
        "pulls": a.pulls,
        "expected_pulls": float(a.expected),
        "contacts": a.contacts,
        "baseline_pulls": a.baseline_pulls,
        "baseline_contacts": a.baseline_contacts,
        "p_value": a.p_value,
    }


def alarms_raise(
    *, period: str = "week", today: dt.date | None = None, at: dt.datetime | None = None
) -> list[SilentCordAlarm]:
    """Write the alarms of the last complete period that are not written yet, and announce
    each once. Running it again (a retry, a second worker) writes nothing new."""
    at = at or timezone.now()
    summaries.tick()  # the test reads the summaries: bring them up to date first
    found = alarm_reads.alarms(period=period, today=today)
    if not found:
        return []
    with transaction.atomic():
        existing = set(
            SilentCordAlarm.objects.filter(
                period=period, period_start=found[0].period_start
            ).values_list("team_id", flat=True)
        )
        new = [
            (
                s,
                SilentCordAlarm(
                    team_id=s.team_id,
                    period=period,
                    period_start=s.period_start,
                    pulls=s.test.pulls,
                    contacts=s.test.contacts,
                    expected=round(s.test.expected, 2),
                    baseline_pulls=s.test.baseline_pulls,
                    baseline_contacts=s.test.baseline_contacts,
                    p_value=s.test.p_value or 0.0,
                    raised_at=at,
                ),
            )
            for s in found
            if s.team_id not in existing
        ]
        if not new:
            return []
        # ignore_conflicts: a concurrent check that wrote the same alarm first wins; only the
        # rows this call wrote are announced (re-read below).
        SilentCordAlarm.objects.bulk_create([a for _, a in new], ignore_conflicts=True)
        written = {
            a.team_id: a
            for a in SilentCordAlarm.objects.filter(
                period=period, period_start=found[0].period_start, raised_at=at
            ).exclude(team_id__in=existing)
        }
        # The alarm row is its own record (who, when, the figures): no audit entry, which
        # belongs to an andon's timeline.
        events = []
        for s, _ in new:
            a = written.get(s.team_id)
            if a is None:
                continue
            events.append(Event("flywheel.alarm", alarm_payload(a, s.team_code, s.lead_id)))
        outbox_emit(at=at, events=events)
        return list(written.values())


def inbox_mark_read(*, user_id: int, andon_ids: list[int], at: dt.datetime | None = None) -> int:
    """Mark the news of these andons read for this person (an upsert per andon)."""
    at = at or timezone.now()
    # An id that names no andon is nothing to mark (not a foreign-key error).
    ids = sorted(andons_existing(andon_ids=andon_ids))
    with transaction.atomic():
        InboxRead.objects.filter(user_id=user_id, andon_id__in=ids).update(read_at=at)
        have = set(
            InboxRead.objects.filter(user_id=user_id, andon_id__in=ids).values_list(
                "andon_id", flat=True
            )
        )
        InboxRead.objects.bulk_create(
            [InboxRead(user_id=user_id, andon_id=i, read_at=at) for i in ids if i not in have],
            ignore_conflicts=True,
        )
    return len(ids)
