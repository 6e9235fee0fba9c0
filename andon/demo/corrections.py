"""Reviews of the story's past andons, two of them corrected afterwards, through the real
services at their moment in the past: the console then shows a verdict's history, a bonus
taken back by a correction line on an agent's statement (never a fine), a bonus credited
after a wrong "invalid" was corrected, and the corrective action that correction withdrew.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from andon.pulls.models import Andon, AndonState
from andon.reviews.services import andon_review, review_correct

# (verdict first given, root cause, corrective action, corrected to, root cause, action, why)
STORIES = [
    (
        "valid",
        "",
        "",
        "invalid",
        "person",
        "一对一辅导：按灯前核对两位顾客是否为同一人",
        "复核发现两次投诉来自同一顾客的两个账号，不满足两位顾客的条件",
    ),
    (
        "invalid",
        "training",
        "按灯规则复训",
        "valid",
        "",
        "",
        "供应商回函确认该批次存在缺陷，按灯是对的",
    ),
]


def corrections_load(andons: list[Andon], users: dict[str, User]) -> None:
    """Review the closed past andons (a day after they closed); correct the first two, the
    first by its reviewer and the second by an admin, a few days later."""
    closed = list(
        Andon.objects.filter(pk__in=[a.pk for a in andons], state=AndonState.CLOSED)
        .select_related("team_lead")
        .order_by("opened_at", "id")
    )
    admin = users["admin"]
    for i, andon in enumerate(closed):
        reviewer = andon.team_lead or admin
        at = (andon.closed_at or andon.opened_at) + dt.timedelta(days=1)
        if i >= len(STORIES):
            andon_review(actor=reviewer, andon_id=andon.pk, verdict="valid", at=at)
            continue
        verdict, cause, action, corrected, new_cause, new_action, why = STORIES[i]
        andon_review(
            actor=reviewer,
            andon_id=andon.pk,
            verdict=verdict,
            root_cause=cause,
            action=action,
            at=at,
        )
        review_correct(
            actor=reviewer if i == 0 else admin,
            andon_id=andon.pk,
            verdict=corrected,
            root_cause=new_cause,
            action=new_action,
            reason=why,
            at=at + dt.timedelta(days=3),
        )
