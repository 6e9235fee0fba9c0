"""Corrections by a person: move contacts to a problem, merge two problems, split contacts off
into a new one. Each is audited, pins the contacts it places (a pinned contact keeps its
problem through every later assignment, rebuild and re-grouping), and locks only the problems
and assignments it changes. Team leads and admins correct (people.rules.may_correct_problems).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from andon.contacts.models import Contact
from andon.core.errors import Forbidden, InvalidInput
from andon.core.services import Audit, audit_record
from andon.people import rules as people_rules
from andon.people.selectors import roles_of

from .assign import labels_for
from .errors import ProblemMismatch, ProblemNotFound, ProblemNotOpen
from .models import Assignment, Method, Problem, ProblemState


def _check_may_correct(actor: User) -> None:
    if not people_rules.may_correct_problems(roles_of(actor)):
        raise Forbidden(_("Only team leads and admins correct problems."))


def _problem_for_update(problem_id: int, field: str) -> Problem:
    try:
        problem = Problem.objects.select_for_update().get(pk=problem_id)
    except Problem.DoesNotExist:
        raise ProblemNotFound(
            _("No problem with id %(id)s.") % {"id": problem_id}, field=field
        ) from None
    if problem.state != ProblemState.OPEN:
        raise ProblemNotOpen(
            _("Problem %(id)s was merged or dissolved; correct the problem it went into.")
            % {"id": problem_id},
            field=field,
        )
    return problem


def _assignments_of(contact_ids: list[int], field: str = "contacts") -> list[Assignment]:
    ids = sorted(set(contact_ids))
    if not ids:
        raise InvalidInput(_("Name at least one contact."), field=field)
    found = list(Assignment.objects.select_for_update().filter(contact_id__in=ids))
    missing = set(ids) - {a.contact_id for a in found}
    if missing:
        raise ProblemMismatch(
            _("Contacts %(ids)s have no problem yet (unknown, or not assigned).")
            % {"ids": ", ".join(str(i) for i in sorted(missing))},
            field=field,
        )
    return found


def _pin(assignments: list[Assignment], problem: Problem, actor: User, now: dt.datetime) -> None:
    Assignment.objects.filter(contact_id__in=[a.contact_id for a in assignments]).update(
        problem=problem,
        pinned=True,
        method=Method.MANUAL,
        corrected_by=actor,
        corrected_at=now,
    )


@transaction.atomic
def problem_contacts_move(*, actor: User, contact_ids: list[int], problem_id: int) -> Problem:
    """Move contacts into a problem of their product. They stay there (pinned), and later
    reports that resemble them follow them."""
    _check_may_correct(actor)
    target = _problem_for_update(problem_id, "problem")
    moved = _assignments_of(contact_ids)
    strangers = [a.contact_id for a in moved if a.product_id != target.product_id]
    if strangers:
        raise ProblemMismatch(
            _("Contacts %(ids)s are about another product than problem %(problem)s.")
            % {"ids": ", ".join(map(str, strangers)), "problem": target.pk},
            field="contacts",
        )
    now = timezone.now()
    _pin(moved, target, actor, now)
    audit_record(
        actor_id=actor.pk,
        at=now,
        entries=[
            Audit(
                "problem.contacts_moved",
                "problem",
                target.pk,
                data={
                    "contacts": sorted(a.contact_id for a in moved),
                    "from": sorted({a.problem_id for a in moved}),
                },
            )
        ],
    )
    return target


@transaction.atomic
def problem_merge(*, actor: User, problem_id: int, into_id: int) -> Problem:
    """Merge a problem into another of the same product: all its contacts move (pinned), it
    is kept as "merged into" the other, so that links to it still resolve."""
    _check_may_correct(actor)
    if problem_id == into_id:
        raise InvalidInput(_("A problem cannot be merged into itself."), field="into")
    # Locks in id order: two opposite merges at once cannot deadlock.
    first, second = sorted([(problem_id, "problem"), (into_id, "into")])
    locked = {pid: _problem_for_update(pid, f) for pid, f in (first, second)}
    source, target = locked[problem_id], locked[into_id]
    if source.product_id != target.product_id:
        raise ProblemMismatch(
            _("Problems %(a)s and %(b)s are about different products.")
            % {"a": source.pk, "b": target.pk},
            field="into",
        )
    now = timezone.now()
    moved = list(Assignment.objects.filter(problem=source))
    _pin(moved, target, actor, now)
    Problem.objects.filter(pk=source.pk).update(state=ProblemState.MERGED, merged_into=target)
    if not target.label_zh or not target.label_en:
        Problem.objects.filter(pk=target.pk).update(
            label_zh=target.label_zh or source.label_zh,
            label_en=target.label_en or source.label_en,
        )
    audit_record(
        actor_id=actor.pk,
        at=now,
        entries=[
            Audit(
                "problem.merged",
                "problem",
                target.pk,
                data={"merged": source.pk, "contacts": sorted(a.contact_id for a in moved)},
            )
        ],
    )
    target.refresh_from_db()
    return target


@transaction.atomic
def problem_split(*, actor: User, problem_id: int, contact_ids: list[int]) -> Problem:
    """Take contacts out of a problem into a new problem of their own (pinned there)."""
    _check_may_correct(actor)
    source = _problem_for_update(problem_id, "problem")
    taken = _assignments_of(contact_ids)
    outside = [a.contact_id for a in taken if a.problem_id != source.pk]
    if outside:
        raise ProblemMismatch(
            _("Contacts %(ids)s are not in problem %(problem)s.")
            % {"ids": ", ".join(map(str, outside)), "problem": source.pk},
            field="contacts",
        )
    if len(taken) >= Assignment.objects.filter(problem=source).count():
        raise InvalidInput(
            _("Leave at least one contact in the problem: a split takes some of them out."),
            field="contacts",
        )
    now = timezone.now()
    first = Contact.objects.filter(pk__in=[a.contact_id for a in taken]).order_by(
        "created_at", "id"
    )
    labels: dict[str, str] = {}
    for c in first:
        for name, label in labels_for(c.text).items():
            labels.setdefault(name, label)
    new = Problem.objects.create(
        product_id=source.product_id, created_at=min(a.reported_at for a in taken), **labels
    )
    _pin(taken, new, actor, now)
    audit_record(
        actor_id=actor.pk,
        at=now,
        entries=[
            Audit(
                "problem.split",
                "problem",
                source.pk,
                data={"into": new.pk, "contacts": sorted(a.contact_id for a in taken)},
            )
        ],
    )
    return new
