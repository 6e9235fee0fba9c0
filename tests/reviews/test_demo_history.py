"""The demo's review history: weeks of trend, on top of the demo's people."""

from __future__ import annotations

import random

import pytest

from andon.demo.reviews_history import load_review_history
from andon.incentives.models import BonusCredit
from andon.pulls.models import Andon
from andon.recovery.models import RecoveryGiven
from andon.reviews.models import CorrectiveAction, PullReview
from andon.reviews.selectors import bad_andon_rate

pytestmark = pytest.mark.django_db


def test_eight_weeks_of_history_show_a_trend_per_team_lead(world):
    load_review_history(weeks=8, rng=random.Random(1))
    rows = bad_andon_rate(period="week")
    assert {r.key for r in rows} == {"lead1", "lead2"}
    assert len({r.period for r in rows}) == 8
    lead1 = [r for r in rows if r.key == "lead1"]
    assert lead1[0].status == "red" and lead1[0].rate > lead1[-1].rate
    invalid = PullReview.objects.filter(verdict="invalid").count()
    assert invalid and CorrectiveAction.objects.count() == invalid
    assert CorrectiveAction.objects.filter(done_at__isnull=True).exists()
    assert BonusCredit.objects.count() == PullReview.objects.filter(verdict="valid").count()
    assert RecoveryGiven.objects.exists()
    n = Andon.objects.count()
    load_review_history(weeks=8, rng=random.Random(1))
    assert Andon.objects.count() == n
