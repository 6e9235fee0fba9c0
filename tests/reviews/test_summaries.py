"""The daily review tallies always equal a full recount of the reviews: after reviews on time
and late, a corrected verdict, a team change (agent and lead), a replayed history import, and
`andon rebuild-summaries`; and the bad-andon rate read from them equals the rate counted from
the reviews themselves for any [since, until), aligned on days or not (SQLite and PostgreSQL).
The first report is stamped on the andon at pull time and by the history import."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.utils import timezone

from andon.people.models import Profile, Team
from andon.pulls.models import Andon
from andon.reviews import rules, summaries
from andon.reviews.models import DailyReviewTally, PullReview
from andon.reviews.selectors import bad_andon_rate
from andon.reviews.services import andon_review, review_correct

from .factories import past_andons, pull

pytestmark = pytest.mark.django_db

INVALID = {"verdict": "invalid", "root_cause": "training", "action": "按灯规则培训"}


def local(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=timezone.get_current_timezone())


def assert_equal() -> None:
    assert summaries.stored() == summaries.recount()


def counted(period: str, by: str, since, until) -> list[tuple]:
    """The rate's rows counted from PullReview in Python (the reference)."""
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for r in PullReview.objects.select_related("team_lead", "team"):
        if (since and r.pulled_at < since) or (until and r.pulled_at >= until):
            continue
        start = rules.period_start(summaries.local_day(r.pulled_at), period)
        key = {"team_lead": r.team_lead_id, "team": r.team_id, "all": None}[by]
        cells[(start, key)][0] += 1
        cells[(start, key)][1] += r.verdict == "invalid"
    return sorted((s, k, n, i) for (s, k), (n, i) in cells.items())


def read(period: str, by: str, since, until) -> list[tuple]:
    rows = bad_andon_rate(period=period, by=by, since=since, until=until)
    return sorted((r.period_start, r.key_id, r.reviewed, r.invalid) for r in rows)


def review(world, andon: Andon, reviewer: str, invalid: bool = False, at=None) -> None:
    body = INVALID if invalid else {"verdict": "valid"}
    andon_review(actor=world.users[reviewer], andon_id=andon.pk, at=at, **body)


def test_tallies_equal_a_recount_through_every_write(world, api):
    u = world.users
    t1, t2 = Team.objects.get(code="team-1"), Team.objects.get(code="team-2")
    # Pulls around local midnight, across a week and a month boundary, for two leads.
    old = past_andons(
        agent=u["agent1"], lead=u["lead1"], team=t1, at=local(2026, 3, 1, 23, 50), n=3
    )
    late = past_andons(
        agent=u["agent2"], lead=u["lead2"], team=t2, at=local(2026, 3, 2, 0, 10), n=2
    )
    month = past_andons(agent=u["agent1"], lead=u["lead1"], team=t1, at=local(2026, 3, 31, 23), n=2)
    assert not DailyReviewTally.objects.exists()
    review(world, old[0], "lead1", invalid=True, at=local(2026, 3, 2, 9))
    review(world, old[1], "lead1", at=local(2026, 3, 2, 9))
    review(world, month[0], "lead1", at=local(2026, 4, 1, 9))
    assert_equal()
    # A late review: months after the pull, it lands on the pull's day.
    review(world, late[0], "lead2", invalid=True)
    review(world, late[1], "lead2")
    assert_equal()
    assert summaries.stored()[0][0] == dt.date(2026, 3, 1)
    # A corrected verdict (both ways).
    review_correct(actor=u["lead2"], andon_id=late[0].pk, verdict="valid", reason="看错了")
    review_correct(actor=u["lead1"], andon_id=old[1].pk, reason="其实不对", **INVALID)
    assert_equal()
    # A pull of today through the cord, reviewed.
    now_pull = pull(world)
    review(world, now_pull, "lead1")
    assert_equal()
    # A team change: the agent moves, the team gets another lead. Reviews keep the pull-time
    # snapshot, so the tallies and the rates of past weeks do not move.
    before = read("week", "team_lead", None, None)
    Profile.objects.filter(user=u["agent1"]).update(team=t2)
    t1.lead = u["lead2"]
    t1.save()
    review(world, old[2], "lead2", at=local(2026, 5, 1, 9))
    review(world, month[1], "lead2")
    assert_equal()
    after = read("week", "team_lead", None, None)
    moved = {rules.period_start(d, "week") for d in (dt.date(2026, 3, 1), dt.date(2026, 3, 31))}
    assert [r for r in after if r[0] not in moved] == [r for r in before if r[0] not in moved]
    assert PullReview.objects.get(andon=old[2]).team_lead_id == u["lead1"].pk
    # Rebuilt from scratch: the same rows.
    call_command("rebuild-summaries", verbosity=0)
    assert_equal()
    # Rates read from the tallies (+ raw edges) equal the rates counted review by review.
    cuts = [
        None,
        local(2026, 3, 1),
        local(2026, 3, 1, 23, 55),
        local(2026, 3, 2, 0, 5),
        local(2026, 3, 2, 12),
    ]
    ends = [None, local(2026, 3, 2), local(2026, 3, 2, 0, 15), local(2026, 4, 1, 12)]
    for since in cuts:
        for until in ends:
            for period in ("week", "month"):
                for by in ("team_lead", "team", "all"):
                    assert read(period, by, since, until) == counted(period, by, since, until), (
                        since,
                        until,
                        period,
                        by,
                    )


def test_replayed_history_import_keeps_tallies_equal(api, world):
    from tests.integrity.test_history_import import ROWS, _imp

    _imp(api, "products", [{"sku": "9787549529322", "title": "看见", "price": "39.80"}])
    _imp(api, "customers", [{"external_id": "c1", "name": "A"}, {"external_id": "c2", "name": "B"}])
    _imp(
        api,
        "orders",
        [
            {
                "order": f"O{i}",
                "customer": f"c{i}",
                "placed_at": "2025-01-02T10:00:00+08:00",
                "line_no": 1,
                "sku": "9787549529322",
                "status": "delivered",
            }
            for i in (1, 2)
        ],
    )
    _imp(
        api,
        "contacts",
        [
            {
                "external_id": f"K{i}",
                "customer": f"c{i}",
                "order": f"O{i}",
                "line_no": 1,
                "reason": "print-defect",
                "text": "100-101页没有裁开",
                "created_at": f"2025-01-05T0{i}:00:00+08:00",
                "agent": "agent1",
            }
            for i in (1, 2)
        ],
    )
    assert _imp(api, "andon-history", ROWS)["created"] == 2
    assert_equal()
    assert sum(r[3] for r in summaries.stored()) == 2
    first = Andon.objects.get(note="100-101页未裁开").first_report_at
    assert first == dt.datetime.fromisoformat("2025-01-05T01:00:00+08:00")
    assert _imp(api, "andon-history", ROWS)["unchanged"] == 2
    assert_equal()
    assert sum(r[3] for r in summaries.stored()) == 2


def test_the_pull_stamps_its_first_report(world):
    andon = pull(world)
    earliest = min(c.created_at for c in andon.evidence.all())
    andon.refresh_from_db()
    assert andon.first_report_at == earliest


def test_rebuild_summaries_restamps_first_reports(world):
    andon = pull(world)
    stamped = Andon.objects.get(pk=andon.pk).first_report_at
    Andon.objects.filter(pk=andon.pk).update(first_report_at=None)
    DailyReviewTally.objects.create(day=dt.date(2026, 1, 1), reviewed=3, invalid=1)
    call_command("rebuild-summaries", "--first-reports", verbosity=0)
    assert Andon.objects.get(pk=andon.pk).first_report_at == stamped
    assert_equal()
