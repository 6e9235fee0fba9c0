"""The outbox's consumers read through core (selectors.outbox_events_past) and move their place
through core (services.outbox_place_move): events past the place up to the safe horizon, of
the types asked for, at most `limit`; the place moves from where it was read, once, and only
when events were read (or a filtered read proved there were none of its types)."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from andon.core.models import OutboxEvent, OutboxPlace
from andon.core.selectors import OutboxRead, outbox_events_past, outbox_place
from andon.core.services import Event, outbox_emit, outbox_place_move
from andon.detection.settle import outbox_settle
from andon.integrations.relay import relay_pass
from andon.integrity.tasks import outbox_note

pytestmark = pytest.mark.django_db

ME = "test-consumer"


def _emit(*types: str) -> list[int]:
    rows = outbox_emit(at=timezone.now(), events=[Event(t, {"n": i}) for i, t in enumerate(types)])
    return [r.pk for r in rows]


def _placed_at_the_end() -> int:
    top = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    OutboxPlace.objects.update_or_create(consumer=ME, defaults={"read_id": top})
    return top


def test_the_events_past_the_place_then_the_place_moves_once():
    _emit("a.x")
    start = _placed_at_the_end()
    ids = _emit("a.x", "b.y", "a.x")

    read = outbox_events_past(ME, fields=("event_type", "payload__n"))

    assert read is not None and read.read_id == start
    assert read.events == [(ids[0], "a.x", 0), (ids[1], "b.y", 1), (ids[2], "a.x", 2)]
    assert read.moves_to == ids[-1]
    assert outbox_place_move(read)
    assert outbox_place(ME) == ids[-1]
    # A second worker that read the same events finds the place gone from where it read it.
    assert not outbox_place_move(read)
    assert outbox_place(ME) == ids[-1]
    assert outbox_events_past(ME) is None


def test_an_idle_read_is_one_statement(django_assert_num_queries):
    _emit("a.x")
    _placed_at_the_end()
    with django_assert_num_queries(1):
        assert outbox_events_past(ME, fields=("event_type",)) is None


def test_a_filtered_read_passes_over_the_other_types():
    start = _placed_at_the_end()
    ids = _emit("a.x", "b.y", "a.x", "c.z")

    read = outbox_events_past(ME, fields=("event_type",), types=("a.x",))

    assert read is not None and read.events == [(ids[0], "a.x"), (ids[2], "a.x")]
    # Every event up to the horizon is there: those of other types concern nobody here.
    assert read.moves_to == ids[-1]
    assert outbox_place_move(read) and outbox_place(ME) == ids[-1]

    # None of its types: nothing to handle, and the place still moves past them.
    more = _emit("b.y", "c.z")
    read = outbox_events_past(ME, fields=("event_type",), types=("a.x",))
    assert read is not None and read.events == [] and read.moves_to == more[-1]
    assert outbox_place_move(read) and outbox_place(ME) == more[-1]
    assert start < ids[0]


def test_a_limit_cuts_the_read_and_the_place_moves_to_the_last_event_read():
    _placed_at_the_end()
    ids = _emit(*["a.x", "b.y"] * 3)

    read = outbox_events_past(ME, limit=2)
    assert read is not None and [e[0] for e in read.events] == ids[:2]
    assert read.moves_to == ids[1]
    assert outbox_place_move(read)

    read = outbox_events_past(ME, types=("a.x",), limit=2)
    assert read is not None and [e[0] for e in read.events] == [ids[2], ids[4]]
    assert read.moves_to == ids[4]  # cut short: not past the events it did not read
    assert outbox_place_move(read)

    read = outbox_events_past(ME, limit=2)
    assert read is not None and [e[0] for e in read.events] == [ids[5]]
    assert read.moves_to == ids[5] and outbox_place_move(read)


def test_no_events_read_nothing_moved():
    start = _placed_at_the_end()
    _emit("a.x")
    # What an unfiltered read past a place behind the horizon would give if its events were
    # gone: the horizon says that cannot be, so the place stays where it is.
    assert not outbox_place_move(OutboxRead(consumer=ME, read_id=start, events=[], moves_to=None))
    assert outbox_place(ME) == start


def test_a_consumer_without_a_place_reads_from_the_start_and_gets_one():
    OutboxPlace.objects.filter(consumer=ME).delete()
    ids = _emit("a.x", "b.y")

    read = outbox_events_past(ME)

    assert read is not None and read.read_id is None
    assert [e[0] for e in read.events][-2:] == ids
    assert outbox_place_move(read)
    assert OutboxPlace.objects.get(consumer=ME).read_id == ids[-1]


def test_the_workers_idle_pass_is_one_statement_a_consumer(django_assert_num_queries):
    _emit("contact.created", "andon.opened", "listing.suppressed")
    relay_pass()
    outbox_note()
    outbox_settle()

    with django_assert_num_queries(3):
        assert relay_pass() == 0
        assert outbox_note() == 0
        assert outbox_settle() == 0


def _other_connection() -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"],
        user=s["USER"],
        password=s.get("PASSWORD") or None,
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
    )


needs_postgres = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SQLite serialises writers: ids commit in order and no row lock is ever held",
)


@needs_postgres
def test_an_event_committed_late_with_a_lower_id_holds_the_read_back():
    """Another transaction took an id and has not committed; a later event is visible: the
    read waits for it rather than moving the place past it."""
    _placed_at_the_end()
    slow = _other_connection()
    table = OutboxEvent._meta.db_table
    try:
        slow_id = slow.execute(
            f"INSERT INTO {table} (occurred_at, event_type, product_sku, payload)"
            " VALUES (now(), 'a.slow', '', '{}') RETURNING id"
        ).fetchone()[0]
        (later,) = _emit("a.x")
        assert later > slow_id

        assert outbox_events_past(ME, fields=("event_type",)) is None

        slow.commit()
        read = outbox_events_past(ME, fields=("event_type",))
        assert read is not None and read.events == [(slow_id, "a.slow"), (later, "a.x")]
    finally:
        slow.rollback()
        slow.execute(f"DELETE FROM {table} WHERE event_type = 'a.slow'")
        slow.commit()
        slow.close()


@needs_postgres
def test_a_place_another_worker_holds_is_skipped_not_waited_for():
    table = OutboxPlace._meta.db_table
    holder = _other_connection()
    # Committed, so that both connections see it; held by the other one from then on.
    holder.execute(f"INSERT INTO {table} (consumer, read_id, updated_at) VALUES ('held', 0, now())")
    holder.commit()
    try:
        holder.execute(f"SELECT 1 FROM {table} WHERE consumer = 'held' FOR UPDATE")
        _emit("a.x")
        read = outbox_events_past("held")
        assert read is not None and read.read_id == 0
        with connection.cursor() as cur:  # waiting would fail the test, not hang it
            cur.execute("SET LOCAL lock_timeout = '2s'")
        assert not outbox_place_move(read)
    finally:
        holder.rollback()
        holder.execute(f"DELETE FROM {table} WHERE consumer = 'held'")
        holder.commit()
        holder.close()
