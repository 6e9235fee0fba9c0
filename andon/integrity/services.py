"""Writes of integrity: the scan's upsert of signals, and a person's decision on one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from andon.core.services import Audit, audit_record

from . import fraud, rules, scans
from .errors import BadDecision, SignalNotFound
from .models import ScanRun, Signal, SignalDecision

Progress = Callable[[str], None]

STEPS: tuple[tuple[str, Callable[[], list[rules.Finding]]], ...] = (
    ("customer-fraud", fraud.customer_fraud),
    ("account-cluster", scans.account_clusters),
    ("staff-misuse", scans.staff_misuse),
    ("system-error", scans.system_errors),
)


def scan(*, trigger: str = "command", progress: Progress | None = None) -> dict[str, int]:
    """Compute every signal from the data as it is now and write them in one transaction:
    new ones open, known ones updated (score, reasons, evidence, last seen) keeping their
    status and decision, and those no longer found marked as not current."""
    started = timezone.now()
    findings: list[rules.Finding] = []
    counts: dict[str, int] = {}
    for name, step in STEPS:
        found = step()
        counts[name] = len(found)
        findings.extend(found)
        if progress:
            progress(name)
    signals_write(findings, at=timezone.now())
    ScanRun.objects.create(
        started_at=started, finished_at=timezone.now(), found=len(findings), trigger=trigger
    )
    return counts


@transaction.atomic
def signals_write(findings: list[rules.Finding], *, at: dt.datetime) -> None:
    rows = {
        (f.kind.value, f.subject_type.value, f.subject): Signal(
            kind=f.kind.value,
            subject_type=f.subject_type.value,
            subject=f.subject[:500],
            score=f.score,
            reasons=[r.as_dict() for r in f.reasons],
            evidence=f.evidence,
            first_seen=at,
            last_seen=at,
            current=True,
        )
        for f in findings
        if f.score >= rules.WORTH_A_LOOK
    }
    if rows:
        # One upsert: first_seen, status and the decision stay as they were.
        Signal.objects.bulk_create(
            list(rows.values()),
            update_conflicts=True,
            unique_fields=["kind", "subject_type", "subject"],
            update_fields=["score", "reasons", "evidence", "last_seen", "current"],
            batch_size=500,
        )
    Signal.objects.filter(current=True, last_seen__lt=at).update(current=False)


@transaction.atomic
def signal_decide(*, signal_id: int, status: str, reason: str, actor_id: int) -> Signal:
    signal = Signal.objects.select_for_update().filter(pk=signal_id).first()
    if signal is None:
        raise SignalNotFound(gettext("No signal #%(id)s.") % {"id": signal_id}, field="id")
    problem = rules.decision_problem(signal.status, status, reason)
    if problem:
        raise BadDecision(problem[1], field=problem[0])
    now = timezone.now()
    SignalDecision.objects.create(
        signal=signal,
        status_from=signal.status,
        status_to=status,
        actor_id=actor_id,
        reason=reason.strip(),
        decided_at=now,
    )
    audit_record(
        actor_id=actor_id,
        at=now,
        entries=[
            Audit(
                "integrity.signal_decided",
                "signal",
                signal.pk,
                data={"from": signal.status, "to": status, "reason": reason.strip()},
            )
        ],
    )
    signal.status = status
    signal.decided_by_id = actor_id
    signal.decided_at = now
    signal.decision_reason = reason.strip()
    signal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return signal
