"""Reads of integrity for the API and the console."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from andon.pulls.models import Andon, AndonEvidence

from . import rules, scans, sentences
from .errors import SignalNotFound
from .models import (
    KindChoices,
    ScanRun,
    Signal,
    SignalDecision,
    StatusChoices,
    SubjectTypeChoices,
)

# For the interfaces' filters (they read selectors, not models).
KIND_CHOICES = KindChoices.choices
SUBJECT_TYPE_CHOICES = SubjectTypeChoices.choices
STATUS_CHOICES = StatusChoices.choices


def signals_filter(
    *,
    subject_type: str | None = None,
    kind: str | None = None,
    min_score: float | None = None,
    status: str | None = None,
    subject: str | None = None,
    current_only: bool = True,
) -> QuerySet[Signal]:
    qs = Signal.objects.select_related("decided_by")
    if current_only:
        qs = qs.filter(current=True)
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    if kind:
        qs = qs.filter(kind=kind)
    if min_score is not None:
        qs = qs.filter(score__gte=min_score)
    if status:
        qs = qs.filter(status=status)
    if subject:
        qs = qs.filter(subject=subject)
    return qs.order_by("-score", "-last_seen", "id")


def signal_get(signal_id: int) -> Signal:
    signal = Signal.objects.select_related("decided_by").filter(pk=signal_id).first()
    if signal is None:
        raise SignalNotFound(gettext("No signal #%(id)s.") % {"id": signal_id}, field="id")
    return signal


def signal_decisions(signal_id: int) -> list[SignalDecision]:
    return list(
        SignalDecision.objects.filter(signal_id=signal_id)
        .select_related("actor")
        .order_by("decided_at", "id")
    )


def reasons_text(signal: Signal) -> list[str]:
    """The signal's reasons as sentences in the active language."""
    return [sentences.sentence(r.get("code", ""), r.get("params", {})) for r in signal.reasons]


@dataclass(frozen=True)
class KindPrecision:
    kind: str
    label: str
    confirmed: int
    dismissed: int
    open: int

    @property
    def decided(self) -> int:
        return self.confirmed + self.dismissed

    @property
    def precision(self) -> float | None:
        return self.confirmed / self.decided if self.decided else None


def precision_by_kind() -> list[KindPrecision]:
    """Measured precision: of the signals people decided on, the share they confirmed."""
    rows: dict[str, dict[str, int]] = {
        r["kind"]: {"confirmed": r["confirmed"], "dismissed": r["dismissed"], "open": r["open"]}
        for r in Signal.objects.values("kind").annotate(
            confirmed=Count("id", filter=Q(status="confirmed")),
            dismissed=Count("id", filter=Q(status="dismissed")),
            open=Count("id", filter=Q(status="open", current=True)),
        )
    }
    return [
        KindPrecision(
            kind=value,
            label=str(label),
            confirmed=rows.get(value, {}).get("confirmed", 0),
            dismissed=rows.get(value, {}).get("dismissed", 0),
            open=rows.get(value, {}).get("open", 0),
        )
        for value, label in KindChoices.choices
    ]


def last_scan() -> ScanRun | None:
    return ScanRun.objects.order_by("-started_at").first()


def andon_signals(andon_id: int) -> list[Signal]:
    return list(signals_filter(subject_type=rules.SubjectType.ANDON, subject=str(andon_id)))


def andon_evidence_note(andon_id: int) -> str | None:
    """The pull review's sentence about an andon's reporters, computed now from its evidence
    (a few rows), so that it is there before any scan ran: None when nothing stands out."""
    return _evidence_note(scans.andon_evidence(andon_id))


def _evidence_note(e: rules.AndonEvidence | None) -> str | None:
    f = rules.andon_evidence(e) if e else None
    if f is None:
        return None
    return sentences.sentence(f.reasons[0].code, f.reasons[0].params)


def subjects_signals(subject_type: str, subjects: list[str]) -> dict[str, list[Signal]]:
    """Open, current signals of these subjects (for notes next to names)."""
    out: dict[str, list[Signal]] = {}
    for s in Signal.objects.filter(
        subject_type=subject_type, subject__in=subjects, current=True, status="open"
    ):
        out.setdefault(s.subject, []).append(s)
    return out


def signal_as_dict(signal: Signal) -> dict[str, Any]:
    return {
        "id": signal.pk,
        "subject_type": signal.subject_type,
        "subject": signal.subject,
        "kind": signal.kind,
        "score": signal.score,
        "reasons": reasons_text(signal),
        "evidence": signal.evidence,
        "status": signal.status,
        "first_seen": signal.first_seen,
        "last_seen": signal.last_seen,
    }


@dataclass(frozen=True)
class ReviewNote:
    """What the pull review shows next to an andon: the sentence about its reporters, and the
    open signals of the andon, its puller and its reporters."""

    evidence_note: str | None
    signals: list[tuple[Signal, list[str]]]


def andon_review_note(andon_id: int, puller: str) -> ReviewNote:
    """Signals of the andon itself, of its puller, of the customers whose contacts are its
    evidence and of its product when clusters target it (two queries)."""
    customers = AndonEvidence.objects.filter(andon_id=andon_id).values(
        "contact__customer__external_id"
    )
    product = Andon.objects.filter(pk=andon_id).values("product__sku")
    q = (
        Q(subject_type="andon", subject=str(andon_id))
        | Q(subject_type="agent", subject=puller)
        | Q(subject_type="customer", subject__in=customers)
        | Q(subject_type="product", subject__in=product)
    )
    found = Signal.objects.filter(q, current=True).exclude(status="dismissed").order_by("-score")
    return ReviewNote(
        evidence_note=andon_evidence_note(andon_id),
        signals=[(s, reasons_text(s)) for s in found],
    )


def andons_review_notes(pullers: dict[int, str]) -> dict[int, ReviewNote]:
    """`andon_review_note` for a page of andons (andon id -> the puller's username) in three
    queries whatever the page's length: the review queue."""
    ids = list(pullers)
    evidence = scans.andons_evidence(ids)
    reporters: dict[int, set[str]] = defaultdict(set)
    for andon_id, customer in AndonEvidence.objects.filter(andon_id__in=ids).values_list(
        "andon_id", "contact__customer__external_id"
    ):
        reporters[andon_id].add(customer)
    q = (
        Q(subject_type="andon", subject__in=[str(i) for i in ids])
        | Q(subject_type="agent", subject__in=set(pullers.values()))
        | Q(subject_type="customer", subject__in=set().union(*reporters.values()))
        | Q(subject_type="product", subject__in={e.product for e in evidence.values()})
    )
    found = list(
        Signal.objects.filter(q, current=True).exclude(status="dismissed").order_by("-score")
    )
    notes = {}
    for andon_id, puller in pullers.items():
        mine = [
            s
            for s in found
            if (s.subject_type == "andon" and s.subject == str(andon_id))
            or (s.subject_type == "agent" and s.subject == puller)
            or (s.subject_type == "customer" and s.subject in reporters[andon_id])
            or (
                s.subject_type == "product"
                and andon_id in evidence
                and s.subject == evidence[andon_id].product
            )
        ]
        notes[andon_id] = ReviewNote(
            evidence_note=_evidence_note(evidence.get(andon_id)),
            signals=[(s, reasons_text(s)) for s in mine],
        )
    return notes


def product_signals(sku: str) -> list[tuple[Signal, list[str]]]:
    """The open signals on a product (clusters targeting it), for its page: one query."""
    found = subjects_signals(rules.SubjectType.PRODUCT.value, [sku]).get(sku, [])
    return [(s, reasons_text(s)) for s in found]


def customer_has_open_signal(external_id: str) -> bool:
    """For the agent's neutral note: is any open, current signal about this customer (alone or
    in a cluster)? The agent is never told which, nor why."""
    return (
        Signal.objects.filter(current=True, status="open")
        .filter(
            Q(subject_type="customer", subject=external_id)
            | Q(subject_type="account-cluster")
            & (
                Q(subject=external_id)
                | Q(subject__startswith=f"{external_id},")
                | Q(subject__endswith=f",{external_id}")
                | Q(subject__contains=f",{external_id},")
            )
        )
        .exists()
    )
