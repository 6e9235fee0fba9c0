"""The loop closed: the fix reaches the agents who pulled or recorded evidence, only them."""

from __future__ import annotations

import pytest

from andon.flywheel import inbox as inbox_module
from andon.flywheel.inbox import inbox, inbox_with_unread, unread_count
from andon.flywheel.services import inbox_mark_read
from andon.workorders.models import WorkOrder

from .small_world import at, build_small

pytestmark = pytest.mark.django_db


def test_inbox_shows_the_fix_to_the_right_agents_only(world, django_assert_max_num_queries):
    s = build_small(world)
    u = world.users
    # Five: the unread, then agent1 has fewer than a page of pulls among the newest andons,
    # so the page is read again over the whole history (bounded: one more query, whatever
    # the data size).
    with django_assert_max_num_queries(5):
        items = inbox(user_id=u["agent1"].pk)
    # agent1 pulled A1 (and the earlier A0) and recorded both of A1's evidence contacts.
    a1 = next(i for i in items if i.andon.pk == s.a1.pk)
    assert a1.pulled and a1.recorded and a1.unread
    assert {w.findings for w in a1.work_orders} == {"bad glue", "3 units"}
    assert a1.news_at == s.a1.closed_at
    assert items[0].andon.pk == s.a1.pk  # the newest news first
    # agent2 pulled A2 (open, nothing resolved yet) and recorded no evidence of A1.
    items2 = inbox(user_id=u["agent2"].pk)
    assert [i.andon.pk for i in items2] == [s.a2.pk]
    assert not items2[0].unread and unread_count(user_id=u["agent2"].pk) == 0
    # Nobody else sees them.
    assert inbox(user_id=u["vendor1"].pk) == []
    assert unread_count(user_id=u["agent1"].pk) == 2  # A1 and A0 (closed: sold again)


def test_read_marks_and_new_news(world):
    s = build_small(world)
    u = world.users
    inbox_mark_read(user_id=u["agent1"].pk, andon_ids=[s.a1.pk], at=at(5))
    assert unread_count(user_id=u["agent1"].pk) == 1
    inbox_mark_read(user_id=u["agent1"].pk, andon_ids=[s.a1.pk], at=at(5))  # again: no error
    # A2's work order is resolved: agent2 hears of it.
    wo = WorkOrder.objects.filter(andon=s.a1).first()
    WorkOrder.objects.create(
        andon=s.a2,
        department=wo.department,
        instruction_zh="x",
        instruction_en="x",
        created_at=at(4, 11),
        due_at=at(5, 11),
        state="resolved",
        resolved_at=at(6),
        findings="ok",
        disposition="release",
    )
    assert unread_count(user_id=u["agent2"].pk) == 1
    item = inbox(user_id=u["agent2"].pk)[0]
    assert item.unread and item.work_orders[0].disposition == "release"


def test_the_newest_andons_first_give_the_same_page(world, monkeypatch, django_assert_num_queries):
    """A person with a page of pulls among the newest andons gets it from them in four
    queries; the page is the one the whole history gives."""
    build_small(world)
    u = world.users

    def rows(items: list) -> list:
        return [(i.andon.pk, i.pulled, i.recorded, i.unread, i.work_orders) for i in items]

    monkeypatch.setattr(inbox_module, "RECENT", 0)  # none among the newest: the whole history
    whole = rows(inbox(user_id=u["agent1"].pk, limit=1))
    monkeypatch.setattr(inbox_module, "RECENT", 2)
    with django_assert_num_queries(4):
        page = rows(inbox(user_id=u["agent1"].pk, limit=1))
    assert len(page) == 1 and page == whole


def test_unread_news_of_an_old_pull_is_on_a_full_page(world):
    """A page full of newer pulls, all read, does not push an older pull's unread news off
    it: the unread count and the page agree."""
    s = build_small(world)
    u = world.users
    newest = inbox(user_id=u["agent1"].pk, limit=1)
    assert [i.andon.pk for i in newest] == [s.a1.pk]
    inbox_mark_read(user_id=u["agent1"].pk, andon_ids=[s.a1.pk], at=at(30))
    assert unread_count(user_id=u["agent1"].pk) == 1
    (item,) = inbox(user_id=u["agent1"].pk, limit=1)
    assert item.unread and item.andon.pk != s.a1.pk and item.andon.opened_at < s.a1.opened_at
    # Read too: the page is the newest pull again.
    inbox_mark_read(user_id=u["agent1"].pk, andon_ids=[item.andon.pk], at=at(30))
    assert [i.andon.pk for i in inbox(user_id=u["agent1"].pk, limit=1)] == [s.a1.pk]


def test_the_unread_count_comes_with_the_page(world, django_assert_max_num_queries):
    """The page's unread count is the one unread_count gives, without asking for the unread
    again when the page holds them all; a page full of unread counts them apart."""
    s = build_small(world)
    agent1 = world.users["agent1"].pk
    with django_assert_max_num_queries(5):  # the inbox's own five, nothing more
        page = inbox_with_unread(user_id=agent1)
    assert page.unread == unread_count(user_id=agent1) == 2
    assert page.items == inbox(user_id=agent1)
    with django_assert_max_num_queries(6):  # two unread, a page of one: one count more
        full = inbox_with_unread(user_id=agent1, limit=1)
    assert full.unread == 2 and full.items == inbox(user_id=agent1, limit=1)
    inbox_mark_read(user_id=agent1, andon_ids=[s.a1.pk], at=at(5))
    assert inbox_with_unread(user_id=agent1, limit=1).unread == 1
    assert inbox_with_unread(user_id=agent1).unread == 1
    nobody = inbox_with_unread(user_id=world.users["vendor1"].pk)
    assert nobody.items == [] and nobody.unread == 0
