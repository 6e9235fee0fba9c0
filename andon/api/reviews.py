"""Pull reviews and corrective actions (SPEC: "Managers answer for wrong pulls")."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from pydantic import BaseModel, Field

from andon.core.http import AuthenticatedRequest
from andon.people.selectors import roles_of
from andon.reviews import rules
from andon.reviews.models import CorrectiveAction, PullReview
from andon.reviews.selectors import corrective_actions, review_of, review_queue
from andon.reviews.services import andon_review, corrective_action_done

from .problems import Problem

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
    due_on: dt.date | None = Field(None, description="Due date of the corrective action.")
    note: str = Field("", max_length=rules.NOTE_MAX)


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


class ReviewOut(BaseModel):
    andon_id: int
    verdict: str
    root_cause: str | None
    note: str
    reviewer: str
    reviewed_at: dt.datetime
    team_lead: str | None = Field(description="The agent's team lead at the time of the pull.")
    actions: list[ActionOut]
    bonus_credited: str | None = Field(None, description="Amount credited by this review.")


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
