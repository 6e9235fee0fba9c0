"""Writes of membership: enrol (also from service recovery), convert, renew, mark past due,
cancel, expire, and the tick that converts, renews and expires what is due.

Every change writes the membership row, one history row, an audit entry and an outbox event
`membership.<change>` in the caller's transaction, so that the storefront (which applies
member prices) learns of it exactly when it commits. Takes the membership's row lock for a
change (SELECT ... FOR UPDATE) so that a console click and the tick never both act on the same
period; the unique history row (membership, change, ends_at) backs that up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from andon.core.errors import Conflict, InvalidInput, NotFound
from andon.core.services import Audit, Event, audit_record, outbox_emit
from andon.orders.models import Customer
from andon.people.rules import may_enrol_member, may_manage_membership
from andon.people.selectors import actor_require

from . import rules
from .day_marks import days_mark_stale
from .defaults import BENEFITS, PLAN
from .models import Benefit, Launch, Membership, MembershipChange, Milestone, Plan
from .rules import Change, Source, State
from .selectors import live_membership, plan_for_recovery_action, plan_get
from .tick import membership_tick

__all__ = ["membership_tick"]  # the tick lives in tick.py (set-based); callers import it here


class AlreadyMember(Conflict):
    code = "already-member"


class NoLiveMembership(NotFound):
    code = "no-live-membership"


@dataclass(frozen=True)
class _Step:
    membership: Membership
    change: Change
    from_state: State | None


def _event_payload(m: Membership) -> dict[str, object]:
    return {
        "membership_id": m.pk,
        "customer": m.customer.external_id,
        "plan": m.plan.code,
        "state": m.state,
        "source": m.source,
        "started_at": m.started_at.isoformat(),
        "ends_at": m.ends_at.isoformat(),
        "auto_renew": m.auto_renew,
    }


def _record(steps: list[_Step], *, actor_id: int | None, at: dt.datetime) -> None:
    """History, audit and outbox for steps already applied to their rows (set-based)."""
    if not steps:
        return
    # A write dated on a past day (a storefront's old start, a change for a past instant)
    # takes that day's summary with it (days.py), and the past days its customers ordered on
    # since then: a start or an end moves their orders' member flag.
    days_mark_stale(
        [at] + [s.membership.started_at for s in steps if s.change == Change.STARTED],
        customers=[
            s.membership.customer_id for s in steps if s.change in (Change.STARTED, Change.EXPIRED)
        ],
    )
    MembershipChange.objects.bulk_create(
        MembershipChange(
            membership=s.membership,
            change=s.change.value,
            from_state=s.from_state.value if s.from_state else "",
            to_state=s.membership.state,
            at=at,
            ends_at=s.membership.ends_at,
            actor_id=actor_id,
            paid=s.membership.paid_from is not None,
        )
        for s in steps
    )
    payloads = [(s, _event_payload(s.membership)) for s in steps]
    audit_record(
        actor_id=actor_id,
        at=at,
        entries=[
            Audit(f"membership.{s.change.value}", "membership", s.membership.pk, data=p)
            for s, p in payloads
        ],
    )
    outbox_emit(at=at, events=[Event(f"membership.{s.change.value}", p) for s, p in payloads])


def _check_actor(actor: User | None) -> None:
    """People are checked; the tick (no actor) is the system itself."""
    if actor is not None:
        actor_require(
            actor,
            may_enrol_member,
            _("Only service people, integrators and membership managers change memberships."),
        )


def _check_available(plan: Plan, at: dt.datetime) -> None:
    day = timezone.localdate(at)
    if (
        not plan.active
        or (plan.available_from and day < plan.available_from)
        or (plan.available_until and day > plan.available_until)
    ):
        raise InvalidInput(
            _("Plan '%(code)s' is not available for enrolment now.") % {"code": plan.code},
            field="plan",
        )


def _check_campaign(campaign: str) -> str:
    campaign = (campaign or "").strip()
    if len(campaign) > 64 or "\n" in campaign:
        raise InvalidInput(_("A campaign is one line of at most 64 characters."), field="campaign")
    return campaign


@transaction.atomic
def membership_enrol(
    *,
    actor: User | None,
    customer: Customer,
    plan_code: str,
    source: Source,
    trial: bool,
    campaign: str = "",
    recovery_ref: int | None = None,
    at: dt.datetime | None = None,
) -> Membership:
    """Start a trial (or a paid first period) of a plan. A customer with a live membership
    is refused with 409 naming it: change plans by cancelling first."""
    _check_actor(actor)
    at = at or timezone.now()
    plan = plan_get(code=plan_code)
    _check_available(plan, at)
    campaign = _check_campaign(campaign)
    state = rules.start_state(trial=trial, trial_days=plan.trial_days)
    if state == State.TRIAL:
        ends = rules.trial_end(at, plan.trial_days)
        m = Membership(trial_ends_at=ends, ends_at=ends)
    else:
        m = Membership(
            paid_from=at, paid_periods=1, ends_at=rules.period_end(at, rules.Period(plan.period), 1)
        )
    m.customer = customer
    m.plan = plan
    m.state = state.value
    m.source = source.value
    m.campaign = campaign
    m.enrolled_by = actor
    m.recovery_ref = recovery_ref
    m.started_at = at
    try:
        with transaction.atomic():
            m.save()
    except IntegrityError:
        live = live_membership(customer_id=customer.pk)
        raise AlreadyMember(
            _("Customer %(customer)s already has a %(state)s membership of %(plan)s.")
            % {
                "customer": customer.external_id,
                "state": live.state if live else "",
                "plan": live.plan.code if live else "",
            },
            field="customer",
        ) from None
    _record([_Step(m, Change.STARTED, None)], actor_id=actor.pk if actor else None, at=at)
    return m


def membership_from_recovery(
    *, actor: User, customer: Customer, action_code: str, recovery_id: int, at: dt.datetime
) -> Membership | None:
    """Service recovery's membership gesture (the story's 98折): a trial of the plan configured
    for that recovery action, at once, in the recovery's transaction. Idempotent per recovery.
    A customer who is already a member keeps the membership they have (nothing is charged or
    shortened); without a plan configured for the action, the gesture stays a recovery line."""
    done = Membership.objects.filter(recovery_ref=recovery_id).first()
    if done is not None:
        return done
    plan = plan_for_recovery_action(action_code, day=timezone.localdate(at))
    if plan is None:
        return None
    live = live_membership(customer_id=customer.pk)
    if live is not None:
        return live
    return membership_enrol(
        actor=actor,
        customer=customer,
        plan_code=plan.code,
        source=Source.RECOVERY,
        trial=True,
        recovery_ref=recovery_id,
        at=at,
    )


def _locked_live(customer_id: int) -> Membership:
    m = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("plan", "customer")
        .filter(customer_id=customer_id, state__in=[s.value for s in rules.LIVE])
        .first()
    )
    if m is None:
        raise NoLiveMembership(_("This customer has no live membership."), field="customer")
    return m


def _apply(m: Membership, change: Change, at: dt.datetime) -> _Step:
    """Move one locked row through `change` (rules.transition refuses what is not allowed)."""
    before = State(m.state)
    after = rules.transition(before, change)
    period = rules.Period(m.plan.period)
    if change == Change.CONVERTED:
        # Paid time starts where the trial ended, not when the tick ran.
        m.paid_from, m.paid_periods = m.ends_at, 1
        m.ends_at = rules.period_end(m.paid_from, period, 1)
    elif change == Change.RENEWED:
        m.paid_periods += 1
        m.ends_at = rules.period_end(m.paid_from or m.started_at, period, m.paid_periods)
    elif change == Change.CANCELLED:
        m.cancelled_at, m.auto_renew = at, False
    elif change == Change.EXPIRED:
        m.ended_at = at
    m.state = after.value
    return _Step(m, change, before)


@transaction.atomic
def membership_change(
    *, actor: User | None, customer: Customer, change: Change, at: dt.datetime | None = None
) -> Membership:
    """One change of a customer's live membership by a person or the storefront: renew (a
    payment arrived), past_due (a charge failed), cancel. Cancelling a cancelled membership
    answers it unchanged (a retried click)."""
    _check_actor(actor)
    at = at or timezone.now()
    m = _locked_live(customer.pk)
    if change == Change.CANCELLED and m.state == State.CANCELLED:
        return m
    if change not in (Change.RENEWED, Change.PAST_DUE, Change.CANCELLED):
        raise InvalidInput(_("Not a change a person makes."), field="change")
    step = _apply(m, change, at)
    m.save()
    _record([step], actor_id=actor.pk if actor else None, at=at)
    return m


@transaction.atomic
def plans_ensure_defaults() -> int:
    """Create the default plan when missing (after a flush, in a fresh demo); never changes
    what an admin configured. Returns how many plans it made."""
    plan, created = Plan.objects.get_or_create(code=PLAN["code"], defaults=PLAN)
    if created:
        Benefit.objects.bulk_create(
            Benefit(plan=plan, kind=k, value=v, label_zh=zh, label_en=en, position=i)
            for i, (k, v, zh, en) in enumerate(BENEFITS)
        )
    return int(created)


@dataclass(frozen=True)
class MilestoneIn:
    day: int
    metric: rules.Metric
    target: Decimal
    tasks: str = ""


@transaction.atomic
def launch_create(
    *,
    actor: User,
    code: str,
    name_zh: str,
    name_en: str,
    plan_code: str,
    starts_on: dt.date,
    segment: str = "",
    owners: list[User] | None = None,
    milestones: list[MilestoneIn],
) -> Launch:
    """A launch plan with its milestones, by a membership manager; audited."""
    actor_require(actor, may_manage_membership, _("Only membership managers plan launches."))
    if Launch.objects.filter(code=code).exists():
        raise Conflict(_("A launch plan '%(code)s' exists.") % {"code": code}, field="code")
    if not milestones:
        raise InvalidInput(_("A launch plan needs at least one milestone."), field="milestones")
    seen = set()
    for m in milestones:
        rules.check_target(m.metric, m.target)
        if (m.day, m.metric) in seen:
            raise InvalidInput(
                _("Day %(day)s has two targets for %(metric)s.")
                % {"day": m.day, "metric": m.metric.value},
                field="milestones",
            )
        seen.add((m.day, m.metric))
    launch = Launch.objects.create(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        plan=plan_get(code=plan_code),
        segment=segment,
        starts_on=starts_on,
    )
    launch.owners.set(owners or [actor])
    Milestone.objects.bulk_create(
        Milestone(launch=launch, day=m.day, metric=m.metric.value, target=m.target, tasks=m.tasks)
        for m in milestones
    )
    audit_record(
        actor_id=actor.pk,
        at=timezone.now(),
        entries=[
            Audit(
                "membership.launch_planned",
                "launch",
                launch.pk,
                data={
                    "code": code,
                    "plan": plan_code,
                    "starts_on": starts_on.isoformat(),
                    "milestones": [[m.day, m.metric.value, str(m.target)] for m in milestones],
                },
            )
        ],
    )
    return launch
