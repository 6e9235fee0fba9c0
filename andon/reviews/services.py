"""Reviewing pulls, correcting verdicts, and tracking corrective actions.

Contract of `andon_review`: one transaction; locks the andon row (SELECT ... FOR UPDATE) so
two leads reviewing at once queue, and the second gets a 409. A valid verdict credits the
opening agent's bonus (through `andon.incentives.services.bonus_credit`, once per andon and
agent); an invalid one never debits anything and opens a corrective action. Writes an audit
entry and an `andon.reviewed` outbox event. Reviews never touch the line: the product's
listing, holds and work orders are the cord's business.

Contract of `review_correct`: the same lock, so a correction queues behind a review or another
correction of the same pull. Valid -> invalid reverses the bonus through the ledger (a
correction line, never a fine) and opens a corrective action; invalid -> valid credits it
(again, if it was reversed before: the ledger keeps one standing credit at most) and withdraws
the open corrective actions. Asking for the verdict the review has already changes nothing and
writes nothing (a retried request is harmless). Writes a `VerdictCorrection` row, an audit
entry and an `andon.review_corrected` outbox event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from andon.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from andon.core.services import Audit, Event, audit_record, outbox_emit
from andon.incentives.models import BonusCredit
from andon.incentives.services import bonus_credit, bonus_reverse
from andon.people.models import Department
from andon.people.selectors import roles_of
from andon.pulls.models import Andon, CordPull

from . import rules, summaries
from .models import CorrectiveAction, PullReview, VerdictCorrection
from .selectors import review_policy


class AndonNotFound(NotFound):
    code = "andon-not-found"


class AlreadyReviewed(Conflict):
    code = "already-reviewed"
    title = gettext_lazy("This pull has already been reviewed")


class NotReviewed(NotFound):
    code = "not-reviewed"
    title = gettext_lazy("Not reviewed")


@dataclass(frozen=True)
class ReviewResult:
    review: PullReview
    action: CorrectiveAction | None
    credit: BonusCredit | None


@transaction.atomic
def andon_review(
    *,
    actor: User,
    andon_id: int,
    verdict: str,
    root_cause: str = "",
    action: str = "",
    note: str = "",
    department: str = "",
    due_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> ReviewResult:
    """Record the verdict on a pull. Invalid: needs a root cause and a corrective action (a
    training for the agent, a process change for `department`, or a note), due in the
    policy's days unless `due_on` says otherwise. Valid: credits the bonus. `at` is now
    unless history is being recorded (the demo)."""
    andon = _andon_locked(andon_id)
    lead_ids = [andon.team_lead_id, andon.team.lead_id if andon.team else None]
    rules.require_review(roles_of(actor), user_id=actor.pk, lead_ids=lead_ids)
    root_cause = root_cause or ""
    action = (action or "").strip()
    rules.check_review(verdict, root_cause, action)
    if len(note) > rules.NOTE_MAX:
        raise InvalidInput(_("At most %(max)d characters.") % {"max": rules.NOTE_MAX}, field="note")
    if PullReview.objects.filter(andon_id=andon.pk).exists():
        raise AlreadyReviewed(
            _(
                "ANDON-%(id)s has already been reviewed; its reviewer (or an admin) may correct "
                "the verdict, with a reason."
            )
            % {"id": andon.pk},
            field="id",
        )
    dept = _department(department)
    now = at or timezone.now()
    review = PullReview.objects.create(
        andon=andon,
        reviewer=actor,
        verdict=verdict,
        root_cause=root_cause,
        note=note,
        reviewed_at=now,
        pulled_at=andon.opened_at,
        agent_id=andon.opened_by_id,
        team_id=andon.team_id,
        team_lead_id=andon.team_lead_id,
    )
    summaries.refresh_pulled([review.pulled_at])
    corrective = None
    credit = None
    if verdict == rules.Verdict.INVALID:
        corrective = _corrective_open(review, andon, actor, action, dept, due_on, now)
    else:
        credit = _credit_opening_pull(andon, actor, now)
    data = {
        "verdict": verdict,
        "root_cause": root_cause,
        "note": note,
        "team_lead_at_pull": andon.team_lead_id,
        "action_id": corrective.pk if corrective else None,
        "credited": str(credit.amount) if credit else None,
    }
    audit_record(
        actor_id=actor.pk,
        at=now,
        entries=[
            Audit("andon.reviewed", "andon", andon.pk, andon.pk, data),
            *(
                [
                    Audit(
                        "corrective_action.opened",
                        "corrective_action",
                        corrective.pk,
                        andon.pk,
                        {"kind": corrective.kind, "due_on": corrective.due_on.isoformat()},
                    )
                ]
                if corrective
                else []
            ),
        ],
    )
    outbox_emit(
        at=now,
        events=[
            Event(
                "andon.reviewed",
                {
                    "andon_id": andon.pk,
                    "verdict": verdict,
                    "root_cause": root_cause,
                    "reviewer": actor.get_username(),
                },
            )
        ],
    )
    return ReviewResult(review, corrective, credit)


def _andon_locked(andon_id: int) -> Andon:
    andon = (
        Andon.objects.select_for_update(of=("self",))
        .select_related("team")
        .filter(pk=andon_id)
        .first()
    )
    if andon is None:
        raise AndonNotFound(_("No andon %(id)s.") % {"id": andon_id}, field="id")
    return andon


def _department(code: str) -> Department | None:
    if not code:
        return None
    dept = Department.objects.filter(code=code).first()
    if dept is None:
        raise InvalidInput(_("No department '%(code)s'.") % {"code": code}, field="department")
    return dept


@dataclass(frozen=True)
class CorrectionResult:
    review: PullReview
    correction: VerdictCorrection | None  # None: the review had that verdict already
    action: CorrectiveAction | None = None
    credit: BonusCredit | None = None
    reversals: tuple[BonusCredit, ...] = ()
    withdrawn: int = 0

    @property
    def changed(self) -> bool:
        return self.correction is not None


@transaction.atomic
def review_correct(
    *,
    actor: User,
    andon_id: int,
    verdict: str,
    reason: str,
    root_cause: str = "",
    action: str = "",
    department: str = "",
    due_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> CorrectionResult:
    """Correct the verdict on a reviewed pull, saying why (see the module's contract)."""
    andon = _andon_locked(andon_id)
    review = PullReview.objects.select_for_update().filter(andon_id=andon.pk).first()
    if review is None:
        raise NotReviewed(
            _("ANDON-%(id)s is not reviewed yet: review it first.") % {"id": andon.pk}, field="id"
        )
    rules.require_correct(roles_of(actor), user_id=actor.pk, reviewer_id=review.reviewer_id)
    root_cause, action, reason = root_cause or "", (action or "").strip(), (reason or "").strip()
    if verdict not in rules.Verdict.__members__.values():
        raise InvalidInput(_("The verdict is “valid” or “invalid”."), field="verdict")
    if not rules.is_correction(review.verdict, review.root_cause, verdict, root_cause):
        return CorrectionResult(review, None)
    rules.check_correction(
        old_verdict=review.verdict,
        verdict=verdict,
        root_cause=root_cause,
        action=action,
        reason=reason,
    )
    dept = _department(department)
    now = at or timezone.now()
    old_verdict, old_cause = review.verdict, review.root_cause
    correction = VerdictCorrection.objects.create(
        review=review,
        corrected_by=actor,
        corrected_at=now,
        old_verdict=old_verdict,
        new_verdict=verdict,
        old_root_cause=old_cause,
        new_root_cause=root_cause,
        reason=reason,
    )
    review.verdict, review.root_cause = verdict, root_cause
    review.save(update_fields=["verdict", "root_cause"])
    summaries.refresh_pulled([review.pulled_at])
    corrective, credit, reversals, withdrawn = None, None, [], 0
    if verdict == rules.Verdict.INVALID:
        if old_verdict == rules.Verdict.VALID:
            reversals = bonus_reverse(andon_id=andon.pk, actor_id=actor.pk, at=now, note=reason)
        if action:
            corrective = _corrective_open(review, andon, actor, action, dept, due_on, now)
    else:
        withdrawn = _actions_withdraw(review, now)
        credit = _credit_opening_pull(andon, actor, now, note=reason)
    _correction_record(andon, correction, actor, corrective, credit, reversals, withdrawn)
    return CorrectionResult(review, correction, corrective, credit, tuple(reversals), withdrawn)


def _actions_withdraw(review: PullReview, now: dt.datetime) -> int:
    return CorrectiveAction.objects.filter(
        review=review, done_at__isnull=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=now)


def _correction_record(
    andon: Andon,
    c: VerdictCorrection,
    actor: User,
    corrective: CorrectiveAction | None,
    credit: BonusCredit | None,
    reversals: list[BonusCredit],
    withdrawn: int,
) -> None:
    data = {
        "old_verdict": c.old_verdict,
        "verdict": c.new_verdict,
        "old_root_cause": c.old_root_cause,
        "root_cause": c.new_root_cause,
        "reason": c.reason,
        "correction_id": c.pk,
        "action_id": corrective.pk if corrective else None,
        "credited": str(credit.amount) if credit else None,
        "reversed": str(sum(-r.amount for r in reversals)) if reversals else None,
        "actions_withdrawn": withdrawn,
    }
    audit_record(
        actor_id=actor.pk,
        at=c.corrected_at,
        entries=[Audit("andon.review_corrected", "andon", andon.pk, andon.pk, data)],
    )
    outbox_emit(
        at=c.corrected_at,
        events=[
            Event(
                "andon.review_corrected",
                {
                    "andon_id": andon.pk,
                    "old_verdict": c.old_verdict,
                    "verdict": c.new_verdict,
                    "root_cause": c.new_root_cause,
                    "reason": c.reason,
                    "corrected_by": actor.get_username(),
                },
            )
        ],
    )


def _corrective_open(
    review: PullReview,
    andon: Andon,
    actor: User,
    action: str,
    dept: Department | None,
    due_on: dt.date | None,
    now: dt.datetime,
) -> CorrectiveAction:
    kind = rules.action_kind_for(review.root_cause)
    if dept is not None:
        kind = rules.ActionKind.PROCESS
    days = review_policy().action_due_days
    return CorrectiveAction.objects.create(
        review=review,
        kind=kind,
        description=action,
        # Training is for the agent who pulled; a process change belongs to a department.
        assignee_id=andon.opened_by_id if kind == rules.ActionKind.TRAINING else None,
        department=dept,
        owner=andon.team_lead or actor,
        due_on=due_on or (timezone.localdate(now) + dt.timedelta(days=days)),
        created_at=now,
    )


def _credit_opening_pull(
    andon: Andon, actor: User, now: dt.datetime, note: str = ""
) -> BonusCredit | None:
    """The pull that opened the andon is the credited one (joins add evidence, not bonus)."""
    pull = (
        CordPull.objects.filter(andon_id=andon.pk, credited=True)
        .select_related("agent")
        .order_by("pulled_at", "id")
        .first()
    )
    agent = pull.agent if pull else andon.opened_by
    return bonus_credit(
        andon_id=andon.pk,
        agent_id=agent.pk,
        agent_username=agent.get_username(),
        actor_id=actor.pk,
        at=now,
        note=note,
    )


@transaction.atomic
def corrective_action_done(*, actor: User, action_id: int) -> CorrectiveAction:
    """Mark a corrective action done: its owner, its assignee or an admin may."""
    ca = (
        CorrectiveAction.objects.select_for_update()
        .select_related("review")
        .filter(pk=action_id)
        .first()
    )
    if ca is None:
        raise NotFound(_("No corrective action %(id)s.") % {"id": action_id}, field="id")
    r = roles_of(actor)
    if not (
        rules.may_review(r, user_id=actor.pk, lead_ids=[ca.owner_id]) or actor.pk == ca.assignee_id
    ):
        raise Forbidden(_("Only the owner, the assignee or an admin closes a corrective action."))
    if ca.done_at is not None or ca.withdrawn_at is not None:
        return ca
    now = timezone.now()
    ca.done_at, ca.done_by = now, actor
    ca.save(update_fields=["done_at", "done_by"])
    audit_record(
        actor_id=actor.pk,
        at=now,
        entries=[
            Audit("corrective_action.done", "corrective_action", ca.pk, ca.review.andon_id),
        ],
    )
    return ca
