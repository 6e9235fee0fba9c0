"""The flywheel summaries always equal a full recount of the base rows, and the dashboard read
from them equals the live GROUP BYs over the base rows (families.py): after the build, a late
review, closes and resolutions, a team change, an import replayed (new rows, then the same
file again), and `andon flywheel-summaries --rebuild` (SQLite and PostgreSQL). Every change
lands on a day months before "now", far outside the tick's trailing fortnight, so only the
watermarks can catch it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from andon.detection.corrections import problem_merge
from andon.detection.models import Problem
from andon.flywheel import families as fam
from andon.flywheel import rules, selectors, summaries
from andon.flywheel.models import FlywheelTally
from andon.holds.models import Hold, LineScope
from andon.holds.services import holds_materialize
from andon.integrations.imports import rows_import
from andon.orders.models import OrderLine
from andon.people.models import Profile, Team
from andon.pulls.models import Andon
from andon.reviews.models import CorrectiveAction
from andon.reviews.services import andon_review
from andon.workorders.models import WorkOrder

from .small_world import TODAY, at, build_small

pytestmark = pytest.mark.django_db


def assert_equal() -> None:
    assert summaries.stored() == summaries.recount()


def _round(v):
    if isinstance(v, dt.timedelta):
        return rules.hours(v)
    if isinstance(v, float | Decimal):
        return Decimal(str(v)).quantize(Decimal("0.001"))
    return v


def live(w: fam.Window, team_id: int | None) -> dict[tuple[dt.date, str], object]:
    """The figures' inputs counted straight from the base rows (the pre-summary reads)."""
    fams = [
        fam.andon_rows(w, team_id),
        fam.problem_rows(w),
        fam.contact_rows(w, team_id),
        fam.puller_rows(w, team_id),
        fam.recovery_rows(w, team_id),
        fam.bonus_rows(w, team_id),
        fam.order_rows(w),
        fam.hold_rows(w, team_id),
        fam.action_done_rows(w, team_id),
    ]
    rename = {"reviewed": "reviewed", "on_time": "reviews_on_time"}
    out: dict[tuple[dt.date, str], object] = {}
    for rows in fams:
        for p, r in rows.items():
            out.update({(p, k): _round(v) for k, v in r.items() if k != "p"})
    for p, r in fam.review_rows(w, team_id).items():
        out.update({(p, rename[k]): v for k, v in r.items() if k in rename})
    for p, r in fam.action_due_rows(w, team_id).items():
        out[(p, "due")], out[(p, "actions_on_time")] = r["due"], r["on_time"]
    for p, r in fam.sla_rows(w, team_id).items():
        out[(p, "resolved")], out[(p, "met")] = r["resolved"], r["met"]
    return {k: v for k, v in out.items() if v}


def read(w: fam.Window, team_id: int | None) -> dict[tuple[dt.date, str], object]:
    flat, departments = selectors.tallied(w, team_id)
    out = {(p, k): _round(v) for p, r in flat.items() for k, v in r.items()}
    return {k: v for k, v in out.items() if v}


def work_orders(w: fam.Window, team_id: int | None) -> list[tuple]:
    live_rows = sorted(
        (fam.day_of(r["p"]), r["department__code"], r["n"]) for r in fam.work_order_rows(w, team_id)
    )
    stored = sorted(
        (r["p"], r["department__code"], r["n"]) for r in selectors.tallied(w, team_id)[1]
    )
    return [live_rows, stored]


def assert_reads_agree(*teams: Team) -> None:
    for period, today in (("week", TODAY), ("month", TODAY.replace(month=4, day=2))):
        w = fam.window(period, today=today)
        for team_id in (None, *(t.pk for t in teams)):
            assert read(w, team_id) == live(w, team_id), (period, team_id)
            a, b = work_orders(w, team_id)
            assert a == b


def test_summaries_equal_a_recount_through_every_change(world):
    s = build_small(world)
    u = world.users
    assert FlywheelTally.objects.exists()
    assert_equal()
    assert_reads_agree(s.team1, s.team2)
    # A pull of the world's week (back-dated, as the history import writes one), then its
    # review months late, through the service: invalid, with a corrective action due on a
    # past day.
    late = Andon.objects.create(
        product=s.product,
        reason=s.a1.reason,
        note="n",
        opened_at=at(5, 10),
        opened_by=u["agent1"],
        team=s.team1,
        team_lead=u["lead1"],
        state="closed",
        closed_at=at(5, 16),
    )
    summaries.tick()
    assert_equal()
    andon_review(
        actor=u["lead1"],
        andon_id=late.pk,
        verdict="invalid",
        root_cause="training",
        action="按灯规则培训",
        due_on=at(6).date(),
    )
    assert summaries.stored() != summaries.recount()  # not yet seen
    summaries.tick()
    assert_equal()
    assert_reads_agree(s.team1, s.team2)
    # Changes in place: A2 closed, its action done, a work order resolved.
    Andon.objects.filter(pk=s.a2.pk).update(state="closed", closed_at=timezone.now())
    CorrectiveAction.objects.filter(review__andon=late).update(done_at=timezone.now())
    WorkOrder.objects.filter(resolved_at=None).update(resolved_at=timezone.now())
    summaries.tick()
    assert_equal()
    assert_reads_agree(s.team1, s.team2)
    # A team change: agent1 moves to team 2, taking the past contacts, pulls and bonuses that
    # the team figures count by the agent's team.
    Profile.objects.filter(user=u["agent1"]).update(team=s.team2)
    assert summaries.stored() != summaries.recount()
    summaries.tick()
    assert_equal()
    assert_reads_agree(s.team1, s.team2)
    # An import of contacts from the storefront's history, back-dated into the world's week;
    # then the same file replayed (nothing changes), then rebuilt from scratch.
    rows = [
        {
            "external_id": f"HIST-{i}",
            "customer": "c2",
            "order": "O2",
            "line_no": 1,
            "reason": "print-defect",
            "text": "缺页",
            "created_at": at(2 + i % 2, 11).isoformat(),
            "agent": "agent2",
            "handling_seconds": 120,
        }
        for i in range(3)
    ]
    result = rows_import(actor=None, kind="contacts", rows=rows)
    assert not result.rejected
    summaries.tick()
    assert_equal()
    assert_reads_agree(s.team1, s.team2)
    before = summaries.stored()
    rows_import(actor=None, kind="contacts", rows=rows)
    summaries.tick()
    assert summaries.stored() == before
    assert_equal()
    call_command("flywheel-summaries", "--rebuild", verbosity=0)
    assert summaries.stored() == before
    call_command("flywheel-summaries", verbosity=0)
    assert summaries.stored() == before
    # The same file again with the handling times corrected: the contacts change in place,
    # on days long past (only their stamp says so).
    result = rows_import(
        actor=None, kind="contacts", rows=[r | {"handling_seconds": 300} for r in rows]
    )
    assert result.updated == 3, result
    assert summaries.stored() != summaries.recount()
    summaries.tick()
    assert_equal()
    assert_reads_agree(s.team1, s.team2)
    # A problem opened long ago merged into another of the product: it stops counting on its
    # own day, which no stamp on the problem says (the audit's merge entry does).
    kept = Problem.objects.filter(product=s.product).order_by("pk").first()
    old = Problem.objects.create(product=s.product, created_at=at(3, 9))
    summaries.tick()
    problem_merge(actor=u["lead1"], problem_id=old.pk, into_id=kept.pk)
    assert summaries.stored() != summaries.recount()
    summaries.tick()
    assert_equal()
    assert_reads_agree(s.team1, s.team2)


def test_tick_with_no_state_rebuilds_and_an_idle_tick_changes_nothing(world):
    build_small(world)
    from andon.flywheel.models import FlywheelSummaryState

    FlywheelSummaryState.objects.all().delete()
    FlywheelTally.objects.all().delete()
    summaries.tick()
    assert_equal()
    before = summaries.stored()
    summaries.tick()
    assert summaries.stored() == before


def test_a_pending_scope_is_counted_without_writing_its_lines(world):
    """A pull holds its product's packed lines by one scope row (holds.scopes): the tallies
    count those lines as the holds a write-out would make, a line packed months after the pull
    moves the pull's day at the next tick, and nothing is written out for the flywheel; when a
    department's decision writes the lines out, the figures stay as they were."""
    s = build_small(world)
    lines = OrderLine.objects.filter(product=s.product).order_by("pk")
    LineScope.objects.create(andon=s.a2, product=s.product, placed_at=s.a2.opened_at, lines=0)
    summaries.tick()
    assert_equal()
    holds_before = Hold.objects.count()
    lines.filter(pk=lines[0].pk).update(
        fulfilment_status="packed", status_changed_at=timezone.now()
    )
    assert summaries.stored() != summaries.recount()  # a day months back: only the stamp says
    summaries.tick()
    assert_equal()
    assert_reads_agree(s.team1, s.team2)
    assert Hold.objects.count() == holds_before
    assert LineScope.objects.get(andon=s.a2).materialized_at is None
    figures = summaries.stored()
    holds_materialize(andon_ids=[s.a2.pk])
    assert Hold.objects.count() == holds_before + 1
    summaries.tick()
    assert_equal()
    assert summaries.stored() == figures
