"""Writes of integrity: the scans (full, incremental) and their upsert of signals, and a
person's decision on one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from andon.catalog.models import Product
from andon.core.services import Audit, audit_record

from . import rules, scans
from .errors import BadDecision, SignalNotFound
from .models import PendingRef, ScanRun, Signal, SignalDecision
from .scope import Scope, scope_of

Progress = Callable[[str], None]

KINDS = ("customer-fraud", "account-cluster", "staff-misuse", "system-error")
# The steps of a scan, as its progress bar names them: the tallies, then each kind.
STEPS = (
    "customer tallies",
    "customer-fraud",
    "account-cluster",
    "agent tallies",
    "staff-misuse",
    "system-error",
)
INCREMENTAL = "incremental"  # ScanRun.trigger of an incremental scan; any other is full
# Above this many waiting changes (a big import), one full scan is cheaper than resolving
# them (and stays within the databases' limits on query parameters).
INCREMENTAL_MAX = 5000
# The kinds judged for every subject on each scan, from the tallies: their yardsticks are
# the whole population's. Account clusters are judged per product.
WHOLE = (rules.Kind.CUSTOMER_FRAUD, rules.Kind.STAFF_MISUSE, rules.Kind.SYSTEM_ERROR)


def scan(
    *,
    trigger: str = "command",
    progress: Progress | None = None,
    scope: Scope | None = None,
) -> dict[str, int]:
    """Compute the signals and write them in one transaction: new ones open, known ones
    updated (score, reasons, evidence, last seen) keeping their status and decision, and
    those no longer found marked as not current.

    `scope` None: a full scan, every tally rebuilt from every contact, order, recovery and
    pull. A scope: an incremental scan after writes, which refreshes the tallies of the
    customers and agents it names and the clusters of the products it names; customer
    fraud, staff misuse and system errors are then judged from the tallies for everyone
    (their yardsticks are the population's, and a tally read is cheap), so the result is
    the one a full scan would give."""
    started = timezone.now()
    products = None if scope is None else scope.products

    def customers() -> list[rules.Finding]:
        if scope is None or scope.customers:
            scans.customers_refresh(None if scope is None else scope.customers)
        return []

    def agents() -> list[rules.Finding]:
        if scope is None or scope.agents:
            scans.agents_refresh(None if scope is None else scope.agents)
        return []

    steps: tuple[Callable[[], list[rules.Finding]], ...] = (
        customers,
        scans.customer_fraud,
        lambda: scans.account_clusters(products),
        agents,
        scans.staff_misuse,
        scans.system_errors,
    )
    findings: list[rules.Finding] = []
    counts: dict[str, int] = {}
    for name, step in zip(STEPS, steps, strict=True):
        found = step()
        if name in KINDS:
            counts[name] = len(found)
        findings.extend(found)
        if progress:
            progress(name)
    retire = Q()
    if scope is not None:
        skus = list(Product.objects.filter(pk__in=scope.products).values_list("sku", flat=True))
        retire = Q(kind__in=[k.value for k in WHOLE]) | Q(
            kind=rules.Kind.ACCOUNT_CLUSTER.value, evidence__product__in=skus
        )
    signals_write(findings, at=timezone.now(), retire=retire)
    ScanRun.objects.create(
        started_at=started, finished_at=timezone.now(), found=len(findings), trigger=trigger
    )
    return counts


def scan_pending(progress: Progress | None = None) -> dict[str, int]:
    """The worker's scan: everything the waiting changes touched, in one incremental scan
    (a burst of writes is one scan), or a full one when no full scan has filled the tallies
    yet or the changes are too many. Deletes the changes it took."""
    taken = list(PendingRef.objects.order_by("pk").values_list("pk", "ref", "key"))
    # The tallies are complete once a full scan has run (from the command, a task, a bench).
    if len(taken) > INCREMENTAL_MAX or not ScanRun.objects.exclude(trigger=INCREMENTAL).exists():
        counts = scan(trigger="task", progress=progress)
    else:
        scope = scope_of((r, k) for _i, r, k in taken)
        if progress:
            progress("scope")
        counts = scan(trigger=INCREMENTAL, scope=scope, progress=progress)
    ids = [i for i, _r, _k in taken]
    for start in range(0, len(ids), 1000):
        PendingRef.objects.filter(pk__in=ids[start : start + 1000]).delete()
    return counts


def scan_runs_prune(*, older_than: dt.timedelta) -> int:
    """Incremental runs older than `older_than`, except the latest (the page shows its time);
    full runs stay (they are a few a day at most)."""
    latest = ScanRun.objects.values_list("pk", flat=True).first()
    if latest is None:
        return 0
    deleted, _ = (
        ScanRun.objects.filter(trigger=INCREMENTAL, started_at__lt=timezone.now() - older_than)
        .exclude(pk=latest)
        .delete()
    )
    return deleted


@transaction.atomic
def signals_write(
    findings: list[rules.Finding], *, at: dt.datetime, retire: Q | None = None
) -> None:
    """Upsert the findings; the current signals matching `retire` (all of them by default)
    that these findings do not renew stop being current."""
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
    Signal.objects.filter(retire or Q(), current=True, last_seen__lt=at).update(current=False)


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
