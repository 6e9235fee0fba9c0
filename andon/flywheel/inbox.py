"""Reads of the agent's inbox (the loop closed): the pulls a person made or recorded evidence
for, with what became of them: when each work order was resolved, what was found
(findings, disposition) and when the product sold again. News after the person's read mark
of that andon is unread. A fixed number of queries whatever the number of pulls: four, five
when the person has fewer than a page of pulls among the newest andons; the page's unread
count comes with it (one more query only when a page or more of news is unread)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    prefetch_related_objects,
)

from andon.pulls.models import Andon, AndonEvidence, CordPull
from andon.workorders.models import WorkOrder

from .models import InboxRead

# How many of the newest andons the inbox asks first whether they are the person's. 2,000
# keeps the plan's estimate under PostgreSQL's jit_above_cost: at 5,000 the JIT compile cost
# 200-300 ms of a 40 ms read (10M contacts, bench/RESULTS-flywheel.md).
RECENT = 2_000


def _mine(user_id: int, recent: int | None = None) -> QuerySet:
    last_fix = (
        WorkOrder.objects.filter(andon_id=OuterRef("pk"), resolved_at__isnull=False)
        .order_by("-resolved_at")
        .values("resolved_at")[:1]
    )
    read = InboxRead.objects.filter(andon_id=OuterRef("pk"), user_id=user_id).values("read_at")[:1]
    # Found through the person's own pulls and contacts (indexed by agent), never by testing
    # every andon. Whether the person pulled or recorded is asked of the page's rows only
    # (inbox): as annotations, each set was built a second time over the whole history.
    mine = Q(pk__in=CordPull.objects.filter(agent_id=user_id).values("andon_id")) | Q(
        pk__in=AndonEvidence.objects.filter(contact__agent_id=user_id).values("andon_id")
    )
    if recent is not None:
        # Only the newest `recent` andons, each asked whether it is the person's (an index
        # probe on the cord pull and the evidence of that andon): a busy agent's whole
        # history (250,000 pulls at 10M contacts) is not read for a page of the newest.
        newest = Andon.objects.order_by("-opened_at", "-id").values("pk")[:recent]
        mine = Q(pk__in=newest) & (
            Q(Exists(CordPull.objects.filter(agent_id=user_id, andon_id=OuterRef("pk"))))
            | Q(
                Exists(
                    AndonEvidence.objects.filter(andon_id=OuterRef("pk"), contact__agent_id=user_id)
                )
            )
        )
    return Andon.objects.filter(mine).annotate(last_fix=Subquery(last_fix), read_at=Subquery(read))


def _unread_q() -> Q:
    news = Q(last_fix__isnull=False) | Q(closed_at__isnull=False)
    return (
        (Q(read_at__isnull=True) & news)
        | Q(read_at__lt=F("last_fix"))
        | Q(read_at__lt=F("closed_at"))
    )


def unread_count(*, user_id: int) -> int:
    return _mine(user_id).filter(_unread_q()).count()


@dataclass(frozen=True)
class InboxItem:
    andon: Andon
    pulled: bool  # the person pulled (opened or joined) this andon
    recorded: bool  # the person recorded a contact that is its evidence
    work_orders: list[WorkOrder]
    unread: bool

    @property
    def news_at(self) -> dt.datetime | None:
        times = [w.resolved_at for w in self.work_orders if w.resolved_at]
        if self.andon.closed_at:
            times.append(self.andon.closed_at)
        return max(times) if times else None


@dataclass(frozen=True)
class InboxPage:
    items: list[InboxItem]
    unread: int  # every unread andon of the person's, also those past the page


def inbox(*, user_id: int, limit: int = 50) -> list[InboxItem]:
    """The person's pulls and evidence, the newest news first (then the newest pulls). Every
    unread one is on the page (up to `limit`), however old its pull: news of a fix to a pull
    of last year is what the inbox is for, and the unread count promises it."""
    return _page(user_id, limit)[0]


def inbox_with_unread(*, user_id: int, limit: int = 50) -> InboxPage:
    """The inbox's page and how many andons of the person's are unread."""
    items, unread_read = _page(user_id, limit)
    # A page of unread that is not full holds every unread andon: its length is the count. A
    # full one is counted apart (a window COUNT(*) OVER () on the page's query would join and
    # sort every unread row before the limit, where the count only tests them).
    unread = unread_read if unread_read < limit else unread_count(user_id=user_id)
    return InboxPage(items, unread)


def _page(user_id: int, limit: int) -> tuple[list[InboxItem], int]:
    """The page, and how many unread andons were read for it (at most `limit`)."""

    def page(qs: QuerySet) -> list[Any]:  # Andons annotated with last_fix, read_at
        return list(qs.select_related("product", "reason").order_by("-opened_at", "-id")[:limit])

    unread_page = page(_mine(user_id).filter(_unread_q()))
    # The newest RECENT andons next: when the person has `limit` of them, they are the page
    # (the page is the newest of the person's). Else the whole history (one more query, only
    # for a person with few recent pulls, whose history is short to read by agent).
    newest = page(_mine(user_id, RECENT))
    if len(newest) < limit:
        newest = page(_mine(user_id))
    andons = list({a.pk: a for a in [*unread_page, *newest]}.values())
    prefetch_related_objects(
        andons,
        Prefetch(
            "work_orders",
            queryset=WorkOrder.objects.select_related("department", "resolved_by").order_by(
                "resolved_at", "id"
            ),
        ),
    )
    ids = [a.pk for a in andons]
    # One query for both marks of the page's rows: (andon, 1) pulled, (andon, 2) recorded.
    marks = set(
        CordPull.objects.filter(agent_id=user_id, andon_id__in=ids)
        .values_list("andon_id", Value(1))
        .order_by()
        .union(
            AndonEvidence.objects.filter(contact__agent_id=user_id, andon_id__in=ids)
            .values_list("andon_id", Value(2))
            .order_by()
        )
    )
    pulled = {a for a, m in marks if m == 1}
    recorded = {a for a, m in marks if m == 2}
    items = []
    for a in andons:
        wos = list(a.work_orders.all())
        news = [w.resolved_at for w in wos if w.resolved_at] + (
            [a.closed_at] if a.closed_at else []
        )
        latest = max(news) if news else None
        unread = latest is not None and (a.read_at is None or latest > a.read_at)
        items.append(InboxItem(a, a.pk in pulled, a.pk in recorded, wos, unread))
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    items.sort(key=lambda i: (i.news_at or epoch, i.andon.opened_at), reverse=True)
    # The unread first claim their places, the others fill the page in the same order.
    room = limit - sum(i.unread for i in items)
    kept = []
    for i in items:
        if i.unread or room > 0:
            kept.append(i)
            room -= not i.unread
    return kept, len(unread_page)
