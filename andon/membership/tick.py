"""The tick: convert ended trials, renew or expire ended periods, expire past grace, as
set-based SQL. Each transition (trial -> converted, active -> renewed, active/cancelled/past
due -> expired) is, per batch of due memberships, five statements whatever the batch's size:
lock the batch's ids (SELECT ... FOR UPDATE SKIP LOCKED), one UPDATE computing the new state
and period end in the database, and the history rows, audit entries and outbox events each
inserted with one INSERT ... SELECT from the updated rows.

Which rows are due mirrors rules.due_change; the new period end is rules.period_end done by
the database (calendar months in the product's time zone, the day clamped to the month's
last): PostgreSQL's own interval arithmetic, on SQLite the same Python function registered
on the connection. Idempotent as before: a second run at the same instant finds nothing due;
concurrent runs skip each other's locked rows, and the unique history row backs that up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateTimeField,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Model,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, JSONObject
from django.utils import timezone

from andon.core.models import AuditEntry
from andon.core.services import outbox_emit_select

from . import rules
from .day_marks import days_mark_stale
from .days import days_refresh
from .models import Membership, MembershipChange, Plan
from .rules import Change, State

# Each tick transaction handles at most this many rows, so that locks stay short.
TICK_BATCH = 5000


class AddMonths(Func):
    """`expression` plus `months` calendar months in the product's time zone (rules.add_months
    in SQL). PostgreSQL's timestamp + interval clamps the day to the month's last and keeps the
    wall-clock time, as rules.add_months does."""

    output_field = DateTimeField()

    def __init__(self, expression: Any, months: Any) -> None:
        super().__init__(expression, months)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        tz = timezone.get_current_timezone_name()
        at, months = (compiler.compile(e) for e in self.get_source_expressions())
        sql = (
            f"((({at[0]}) AT TIME ZONE %s) + make_interval(months => ({months[0]})::int)) "
            "AT TIME ZONE %s"
        )
        return sql, [*at[1], tz, *months[1], tz]

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        _register_sqlite(connection)
        return self.as_sql(compiler, connection, function="andon_add_months", **extra)


def _sqlite_add_months(value: str | None, months: int | None) -> str | None:
    """rules.add_months on a value as Django stores it in SQLite (naive UTC text)."""
    if value is None or months is None:
        return None
    at = dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    moved = rules.add_months(at, int(months)).astimezone(dt.UTC).replace(tzinfo=None)
    return str(moved)


def _register_sqlite(conn: Any) -> None:
    conn.ensure_connection()
    conn.connection.create_function("andon_add_months", 2, _sqlite_add_months, deterministic=True)


class IsoUtc(Func):
    """A timestamp as Python's isoformat() of the UTC value ('2026-03-10T02:00:00+00:00',
    microseconds only when there are some), as the event payloads carry them."""

    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        utc = f"(({sql}) AT TIME ZONE 'UTC')"
        text = (
            f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
            f"date_part('microseconds', {utc})::int %% 1000000 = 0 THEN '' "
            f"ELSE to_char({utc}, '.US') END || '+00:00'"
        )
        return text, [*params, *params, *params]

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"(replace({sql}, ' ', 'T') || '+00:00')", params


class JsonBool(Func):
    """A boolean column as a JSON boolean (SQLite stores 0/1)."""

    output_field = BooleanField()
    template = "%(expressions)s"  # PostgreSQL: the boolean column is a JSON boolean already

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"json(CASE WHEN {sql} THEN 'true' ELSE 'false' END)", params


@dataclass(frozen=True)
class _Transition:
    change: Change
    from_state: State
    due: Q  # which rows of from_state are due at the tick's instant (rules.due_change)


def _transitions(now: dt.datetime, grace: dict[int, int]) -> list[_Transition]:
    """rules.due_change as filters, in the order a membership can take them in one round
    (a trial converted into a period already over renews next)."""
    past_grace = Q(pk__in=[])
    for plan_id, days in grace.items():
        past_grace |= Q(plan_id=plan_id, ends_at__lte=now - dt.timedelta(days=days))
    ended = Q(ends_at__lte=now)
    return [
        _Transition(Change.CONVERTED, State.TRIAL, Q(state=State.TRIAL) & ended),
        _Transition(Change.RENEWED, State.ACTIVE, Q(state=State.ACTIVE, auto_renew=True) & ended),
        _Transition(Change.EXPIRED, State.ACTIVE, Q(state=State.ACTIVE, auto_renew=False) & ended),
        _Transition(Change.EXPIRED, State.CANCELLED, Q(state=State.CANCELLED) & ended),
        _Transition(Change.EXPIRED, State.PAST_DUE, Q(state=State.PAST_DUE) & past_grace),
    ]


def _months_per_period(periods: dict[int, str]) -> Expression:
    """Months in one period of the row's plan (a CASE over the plans: a handful of rows)."""
    return Case(
        *[
            When(plan_id=pk, then=Value(12 if p == rules.Period.YEAR else 1))
            for pk, p in periods.items()
        ],
        default=Value(1),
        output_field=IntegerField(),
    )


def _new_values(change: Change, now: dt.datetime, periods: dict[int, str]) -> dict[str, Any]:
    """The UPDATE's SET: services._apply's arithmetic on the rows' old values."""
    months = _months_per_period(periods)
    if change == Change.CONVERTED:
        # Paid time starts where the trial ended, not when the tick ran.
        return {
            "state": State.ACTIVE.value,
            "paid_from": F("ends_at"),
            "paid_periods": 1,
            "ends_at": AddMonths(F("ends_at"), months),
        }
    if change == Change.RENEWED:
        return {
            "paid_periods": F("paid_periods") + 1,
            "ends_at": AddMonths(
                Coalesce("paid_from", "started_at"), months * (F("paid_periods") + 1)
            ),
        }
    return {"state": State.EXPIRED.value, "ended_at": now}


def _payload_fields() -> dict[str, Any]:
    """services._event_payload, built by the database (one expression per key)."""
    return {
        "membership_id": F("pk"),
        "customer": F("customer__external_id"),
        "plan": F("plan__code"),
        "state": F("state"),
        "source": F("source"),
        "started_at": IsoUtc("started_at"),
        "ends_at": IsoUtc("ends_at"),
        "auto_renew": JsonBool("auto_renew"),
    }


def _insert_select(model: type[Model], columns: dict[str, Any], rows: QuerySet) -> None:
    """INSERT INTO model (columns) SELECT <their expressions> FROM rows."""
    names = [f"_c{i}" for i in range(len(columns))]
    select = rows.order_by("pk").annotate(**dict(zip(names, columns.values(), strict=True)))
    sql, params = select.values_list(*names).query.sql_with_params()
    q = connection.ops.quote_name
    fields = {f.name: str(f.column) for f in model._meta.concrete_fields}
    cols = ", ".join(q(fields[c]) for c in columns)
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {q(model._meta.db_table)} ({cols}) {sql}", params)


def _record(t: _Transition, ids: list[int], now: dt.datetime) -> None:
    """History, audit and outbox for the rows `ids` just moved through `t` (three INSERT ...
    SELECT; core's outbox_emit_select runs the outbox hooks, the relay's wake-up)."""
    rows = Membership.objects.filter(pk__in=ids)
    name = f"membership.{t.change.value}"
    # A tick run for a past instant dates its rows on that day; its expiries end the
    # customers' member flag from then on (their orders' days since then).
    days_mark_stale(
        [now],
        customers=rows.values("customer_id") if t.change == Change.EXPIRED else None,
    )
    _insert_select(
        MembershipChange,
        {
            "membership": F("pk"),
            "change": Value(t.change.value),
            "from_state": Value(t.from_state.value),
            "to_state": F("state"),
            "at": Value(now, output_field=DateTimeField()),
            "ends_at": F("ends_at"),
            "actor": Value(None, output_field=IntegerField()),
            "paid": ExpressionWrapper(Q(paid_from__isnull=False), output_field=BooleanField()),
        },
        rows,
    )
    _insert_select(
        AuditEntry,
        {
            "occurred_at": Value(now, output_field=DateTimeField()),
            "actor": Value(None, output_field=IntegerField()),
            "action": Value(name),
            "subject_type": Value("membership"),
            "subject_id": Cast("pk", output_field=CharField()),
            "andon_id": Value(None, output_field=IntegerField()),
            "data": JSONObject(**_payload_fields()),
        },
        rows,
    )
    outbox_emit_select(at=now, event_type=name, rows=rows, payload=_payload_fields())


def _tick_batch(
    t: _Transition, now: dt.datetime, periods: dict[int, str], after_id: int
) -> tuple[int, int, int]:
    """One locked batch of one transition: (rows read, rows changed, last id)."""
    with transaction.atomic():
        ids = list(
            Membership.objects.select_for_update(skip_locked=True)
            .filter(t.due, pk__gt=after_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:TICK_BATCH]
        )
        if not ids:
            return 0, 0, after_id
        changed = Membership.objects.filter(pk__in=ids).update(
            **_new_values(t.change, now, periods)
        )
        _record(t, ids, now)
    return len(ids), changed, ids[-1]


def membership_tick(*, now: dt.datetime | None = None, max_rounds: int = 24) -> dict[str, int]:
    """Convert ended trials, renew or expire ended periods, expire past grace. Idempotent: a
    second run at the same instant finds nothing due; concurrent runs skip each other's locked
    rows. A membership renewed after a long outage steps one period per round, each period
    with its own event. Returns how many of each change it made."""
    now = now or timezone.now()
    plans = list(Plan.objects.values_list("pk", "period", "grace_days"))
    periods = {pk: period for pk, period, _ in plans}
    transitions = _transitions(now, {pk: grace for pk, _, grace in plans})
    total: dict[str, int] = {}
    for _round in range(max_rounds):
        made_any = False
        for t in transitions:
            after_id = 0
            while True:
                read, changed, after_id = _tick_batch(t, now, periods, after_id)
                if changed:
                    total[t.change.value] = total.get(t.change.value, 0) + changed
                    made_any = True
                if read < TICK_BATCH:
                    break
        if not made_any:
            break
    # Sum the days closed since the last run (the figures read them instead of the rows).
    days_refresh()
    return total
