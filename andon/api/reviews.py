"""Pull reviews and corrective actions (SPEC: "Managers answer for wrong pulls")."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from pydantic import BaseModel, Field

from andon.core.http import AuthenticatedRequest
from andon.people.selectors import roles_of
from andon.reviews import rules
from andon.reviews.selectors import corrective_actions, review_of, review_queue
from andon.reviews.services import andon_review, corrective_action_done, review_correct

from .guard import IsoDate
from .problems import Problem

if TYPE_CHECKING:
    from andon.reviews.models import CorrectiveAction, PullReview, VerdictCorrection

router = Router(tags=["reviews"])


class ReviewIn(BaseModel):
    verdict: Literal["valid", "invalid"]
    root_cause: Literal["person", "training", "process", "money", "system"] | None = Field(
        None, description="Required when invalid."
    )
    action: str = Field(
        "",
        max_length=rules.NOTE_MAX,
        description=(
            "Corrective action, required when invalid: a training for the agent, a process "
            "change (name the `department`) or a note."
        ),
    )
    department: str = Field("", max_length=50, description="Department code of a process change.")
    due_on: IsoDate | None = Field(None, description="Due date of the corrective action.")
    note: str = Field("", max_length=rules.NOTE_MAX)


class CorrectionIn(BaseModel):
    verdict: Literal["valid", "invalid"]
    reason: str = Field(
        max_length=rules.REASON_MAX,
        description="Why the verdict is corrected (required, recorded with who and when).",
    )
    root_cause: Literal["person", "training", "process", "money", "system"] | None = Field(
        None, description="Required when the corrected verdict is invalid."
    )
    action: str = Field(
        "",
        max_length=rules.NOTE_MAX,
        description=(
            "Corrective action, required when a valid verdict is corrected to invalid (an "
            "invalid pull whose root cause is corrected keeps its action; a new one is optional)."
        ),
    )
    department: str = Field("", max_length=50, description="Department code of a process change.")
    due_on: IsoDate | None = Field(None, description="Due date of the corrective action.")


class ActionOut(BaseModel):
    id: int
    andon_id: int
    kind: str
    description: str
    assignee: str | None
    department: str | None
    owner: str | None
    due_on: dt.date
    done_at: dt.datetime | None
    withdrawn_at: dt.datetime | None = Field(
        None, description="Set when the verdict was corrected to valid while the action was open."
    )


class CorrectionOut(BaseModel):
    old_verdict: str
    verdict: str
    old_root_cause: str | None
    root_cause: str | None
    reason: str
    corrected_by: str
    corrected_at: dt.datetime


class ReviewOut(BaseModel):
    andon_id: int
    verdict: str
    root_cause: str | None
    note: str
    reviewer: str
    reviewed_at: dt.datetime
    team_lead: str | None = Field(description="The agent's team lead at the time of the pull.")
    actions: list[ActionOut]
    corrections: list[CorrectionOut] = Field(
        [], description="Corrections of the verdict, oldest first; `verdict` is the current one."
    )
    bonus_credited: str | None = Field(None, description="Amount credited by this review.")


class ReviewCorrectedOut(ReviewOut):
    corrected: bool = Field(
        description="False when the review had this verdict (and root cause) already: nothing "
        "was written."
    )
    bonus_reversed: str | None = Field(
        None, description="Amount the correction took back from the agent (a ledger reversal)."
    )


class QueueItem(BaseModel):
    andon_id: int
    sku: str
    reason: str
    note: str
    opened_at: dt.datetime
    opened_by: str
    team_lead: str | None


def action_out(a: CorrectiveAction, andon_id: int) -> ActionOut:
    return ActionOut(
        id=a.pk,
        andon_id=andon_id,
        kind=a.kind,
        description=a.description,
        assignee=a.assignee.get_username() if a.assignee else None,
        department=a.department.code if a.department else None,
        owner=a.owner.get_username() if a.owner else None,
        due_on=a.due_on,
        done_at=a.done_at,
        withdrawn_at=a.withdrawn_at,
    )


def correction_out(c: VerdictCorrection) -> CorrectionOut:
    return CorrectionOut(
        old_verdict=c.old_verdict,
        verdict=c.new_verdict,
        old_root_cause=c.old_root_cause or None,
        root_cause=c.new_root_cause or None,
        reason=c.reason,
        corrected_by=c.corrected_by.get_username(),
        corrected_at=c.corrected_at,
    )


def review_out(r: PullReview, credited: str | None = None) -> ReviewOut:
    return ReviewOut(
        andon_id=r.andon_id,
        verdict=r.verdict,
        root_cause=r.root_cause or None,
        note=r.note,
        reviewer=r.reviewer.get_username(),
        reviewed_at=r.reviewed_at,
        team_lead=r.team_lead.get_username() if r.team_lead else None,
        actions=[action_out(a, r.andon_id) for a in r.actions.all()],
        corrections=[correction_out(c) for c in r.corrections.all()],
        bonus_credited=credited,
    )


@router.post(
    "/andons/{andon_id}/review",
    response={201: ReviewOut, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
)
def andon_review_create(request: AuthenticatedRequest, andon_id: int, payload: ReviewIn):
    """Review a pull as valid (credits the agent's bonus once) or invalid (needs a root cause
    and a corrective action; counts against the team lead of the time of the pull, never
    against the agent). 409 when already reviewed."""
    result = andon_review(
        actor=request.user,
        andon_id=andon_id,
        verdict=payload.verdict,
        root_cause=payload.root_cause or "",
        action=payload.action,
        note=payload.note,
        department=payload.department,
        due_on=payload.due_on,
    )
    review = review_of(andon_id=andon_id)
    assert review is not None  # andon_review wrote it just above
    return Status(201, review_out(review, str(result.credit.amount) if result.credit else None))


@router.put(
    "/andons/{andon_id}/review",
    response={200: ReviewCorrectedOut, 403: Problem, 404: Problem, 422: Problem},
)
def andon_review_correct(request: AuthenticatedRequest, andon_id: int, payload: CorrectionIn):
    """Correct the verdict of a reviewed pull: its reviewer or an admin, with a `reason`.
    Valid -> invalid takes the bonus back through a ledger reversal (a correction line on the
    agent's statement, never a fine) and needs a root cause and a corrective action; invalid ->
    valid credits the bonus (a pull has one standing credit at most, however often it is
    corrected) and withdraws open corrective actions. The bad-andon rate follows the current
    verdict. Idempotent: putting the verdict the review has already answers 200 with
    `corrected: false` and writes nothing. 404 `not-reviewed` before the first review."""
    result = review_correct(
        actor=request.user,
        andon_id=andon_id,
        verdict=payload.verdict,
        reason=payload.reason,
        root_cause=payload.root_cause or "",
        action=payload.action,
        department=payload.department,
        due_on=payload.due_on,
    )
    review = review_of(andon_id=andon_id)
    assert review is not None  # the service found it under lock in this request
    reversed_ = sum(-r.amount for r in result.reversals) if result.reversals else None
    return ReviewCorrectedOut(
        **review_out(review, str(result.credit.amount) if result.credit else None).model_dump(),
        corrected=result.changed,
        bonus_reversed=str(reversed_) if reversed_ is not None else None,
    )


@router.get("/andons/{andon_id}/review", response={200: ReviewOut, 404: Problem})
def andon_review_read(request: HttpRequest, andon_id: int):
    review = review_of(andon_id=andon_id)
    if review is None:
        return Status(
            404,
            Problem(
                type="urn:andon:problem:not-reviewed",
                title=_("Not reviewed"),
                status=404,
                detail=_("ANDON-%(id)s is not reviewed yet.") % {"id": andon_id},
                code="not-reviewed",
                field="id",
            ),
        )
    return review_out(review)


@router.get("/reviews/queue", response={200: list[QueueItem], 403: Problem})
def reviews_queue(request: HttpRequest):
    """Pulls waiting for the caller's review (sampled by the review policy)."""
    r = roles_of(request.user)
    rules.require_kpis(r)
    user_id = None if rules.Role.ADMIN in r.roles else request.user.pk
    return [
        QueueItem(
            andon_id=a.pk,
            sku=a.product.sku,
            reason=a.reason.code,
            note=a.note,
            opened_at=a.opened_at,
            opened_by=a.opened_by.get_username(),
            team_lead=a.team_lead.get_username() if a.team_lead else None,
        )
        for a in review_queue(user_id=user_id)
    ]


@router.get("/corrective-actions", response={200: list[ActionOut], 403: Problem})
def corrective_actions_list(request: HttpRequest, state: Literal["open", "all"] = "open"):
    rules.require_kpis(roles_of(request.user))
    return [action_out(a, a.review.andon_id) for a in corrective_actions(open_only=state == "open")]


@router.post(
    "/corrective-actions/{action_id}/done", response={200: ActionOut, 403: Problem, 404: Problem}
)
def corrective_action_mark_done(request: AuthenticatedRequest, action_id: int):
    a = corrective_action_done(actor=request.user, action_id=action_id)
    return action_out(a, a.review.andon_id)
