"""Integrity signals: explained risk signals for team leads and admins, and their lifecycle
(open -> dismissed or confirmed, with who and why). Reading them never blocks anything."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from pydantic import BaseModel, Field

from andon.core.errors import Forbidden
from andon.core.http import AuthenticatedRequest
from andon.integrity import selectors
from andon.integrity import services as integrity
from andon.people.rules import may_review_integrity
from andon.people.selectors import roles_of

from .problems import Problem

router = Router(tags=["integrity"])

SubjectTypeName = Literal["customer", "agent", "account-cluster", "andon", "product"]
KindName = Literal["customer-fraud", "account-cluster", "staff-misuse", "system-error"]
StatusName = Literal["open", "dismissed", "confirmed"]


class SignalOut(BaseModel):
    id: int
    subject_type: SubjectTypeName
    subject: str = Field(
        description="Customer external id, agent username, andon id, or a cluster's customer "
        "external ids joined by commas."
    )
    kind: KindName
    score: float = Field(ge=0, le=1, description="0..1; 0.5 or more means worth a look.")
    reasons: list[str] = Field(description="Sentences with their numbers, in your language.")
    evidence: dict[str, Any]
    status: StatusName
    first_seen: dt.datetime
    last_seen: dt.datetime


class SignalsOut(BaseModel):
    signals: list[SignalOut]


class SignalsQuery(BaseModel):
    subject_type: SubjectTypeName | None = None
    kind: KindName | None = None
    min_score: float | None = Field(None, ge=0, le=1)
    status: StatusName | None = None
    limit: int = Field(200, ge=1, le=1000, description="At most this many, highest score first.")


class DecisionIn(BaseModel):
    status: StatusName
    reason: str = Field(min_length=1, max_length=500, description="Why, in one line.")


def _require(request: HttpRequest) -> None:
    if not may_review_integrity(roles_of(request.user)):
        raise Forbidden(_("Only team leads and admins read integrity signals."))


@router.get("/integrity/signals", response={200: SignalsOut, 403: Problem, 422: Problem})
def signals_list(request: HttpRequest, query: Query[SignalsQuery]):
    """The current signals, highest score first; filter by subject type, kind, score, status."""
    _require(request)
    qs = selectors.signals_filter(
        subject_type=query.subject_type,
        kind=query.kind,
        min_score=query.min_score,
        status=query.status,
    )[: query.limit]
    return SignalsOut(signals=[SignalOut(**selectors.signal_as_dict(s)) for s in qs])


@router.get("/integrity/signals/{signal_id}", response={200: SignalOut, 403: Problem, 404: Problem})
def signal_detail(request: HttpRequest, signal_id: int):
    _require(request)
    return SignalOut(**selectors.signal_as_dict(selectors.signal_get(signal_id)))


@router.patch(
    "/integrity/signals/{signal_id}",
    response={200: SignalOut, 403: Problem, 404: Problem, 422: Problem},
)
def signal_decide(request: AuthenticatedRequest, signal_id: int, payload: DecisionIn):
    """Dismiss or confirm a signal (or reopen it), with a reason; recorded with who and when."""
    _require(request)
    signal = integrity.signal_decide(
        signal_id=signal_id,
        status=payload.status,
        reason=payload.reason,
        actor_id=request.user.pk,
    )
    return SignalOut(**selectors.signal_as_dict(signal))
