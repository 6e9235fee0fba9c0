"""Small SQL helpers every domain may use (core is the bottom layer)."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connection, models
from django.db.models.expressions import RawSQL


def column_of(model: type[models.Model], name: str) -> str:
    """The database column of a model's field (a foreign key's `_id` column)."""
    f = model._meta.get_field(name)
    assert isinstance(f, models.Field) and f.column, name
    return str(f.column)


def any_of(model: type[models.Model], name: str, values: Iterable[Any]) -> Any:
    """A filter `name IN values` for many keys. On PostgreSQL one array parameter
    (`= ANY(%s)`): an IN of thousands of parameters costs more to build (Django's lookup per
    value) and send (psycopg's conversion per value) than the query costs the database."""
    values = list(values)
    if connection.vendor != "postgresql" or not values:
        return models.Q(**{f"{name}__in": values})
    q = connection.ops.quote_name
    column = f"{q(model._meta.db_table)}.{q(column_of(model, name))}"
    return RawSQL(f"{column} = ANY(%s)", (values,), output_field=models.BooleanField())


def binding_cursor() -> Any:
    """PostgreSQL: a cursor that sends parameters apart from the SQL (psycopg's `Cursor`:
    `%b` sends a value in binary, a list as one array), wrapped as Django wraps its own: the
    statement is in Django's query log and wrappers (tests count statements) and database
    errors are Django's. Django's own cursor binds on the client, quoting every element of a
    list into the SQL text."""
    import psycopg

    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    # django-stubs types these as taking Django's wrapper; they take the driver's cursor.
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)  # type: ignore[arg-type]
    return connection.make_cursor(raw)  # type: ignore[arg-type]


def array_type(f: Any) -> str:
    """The PostgreSQL array type of a field's column: `varchar(64)[]`, `bigint[]`…"""
    db_type = f.target_field.rel_db_type(connection) if f.is_relation else f.db_type(connection)
    return f"{db_type}[]"


def datetime_read(value: Any) -> dt.datetime | None:
    """A date-time column read by hand-written SQL, as the ORM would give it (aware, in the
    connection's time zone): PostgreSQL's driver gives it so; SQLite gives text or a naive
    value, converted as Django's backend converts its columns."""
    convert = getattr(connection.ops, "convert_datetimefield_value", None)
    if value is None or convert is None:
        return value
    return convert(value, None, connection)


@dataclass(frozen=True)
class ModelColumns:
    """A model's concrete columns in a hand-written SELECT (`sql`, under a table alias), and
    the row's slice of them made into an instance as the ORM makes it: the backend's and the
    fields' conversions (SQLite's text date-times and integer booleans, JSON), then
    `Model.from_db`, so the instance is saved, refreshed and compared as any other."""

    model: type[models.Model]
    sql: str
    attnames: tuple[str, ...]
    # (position, conversions, the column as an expression): what Django's compiler applies.
    # A conversion that is a method of the backend's operations is kept unbound and called
    # with the current thread's: the cache holds no connection (a thread's own, which would
    # stay open after the thread ended).
    conversions: tuple[tuple[int, tuple[tuple[bool, Callable[..., Any]], ...], Any], ...]

    def __len__(self) -> int:
        return len(self.attnames)

    def build(self, values: Sequence[Any]) -> Any:
        row = list(values)
        for i, convert, column in self.conversions:
            for of_ops, c in convert:
                if of_ops:
                    row[i] = c(connection.ops, row[i], column, connection)
                else:
                    row[i] = c(row[i], column, connection)
        return self.model.from_db(connection.alias, self.attnames, row)


def model_columns(model: type[models.Model], alias: str) -> ModelColumns:
    """`ModelColumns` of a model under `alias`, made once per process and database kind."""
    return _model_columns(model, alias, connection.vendor)


@lru_cache(maxsize=64)
def _model_columns(model: type[models.Model], alias: str, vendor: str) -> ModelColumns:
    q = connection.ops.quote_name
    fields = list(model._meta.concrete_fields)
    conversions = []
    for i, f in enumerate(fields):
        column = f.get_col(alias)
        backend = connection.ops.get_db_converters(column)
        convert = [_unbound(c) for c in (*backend, *column.get_db_converters(connection))]
        if convert:
            conversions.append((i, tuple(convert), column))
    return ModelColumns(
        model=model,
        sql=", ".join(f"{alias}.{q(str(f.column))}" for f in fields),
        attnames=tuple(f.attname for f in fields),
        conversions=tuple(conversions),
    )


def _unbound(convert: Callable[..., Any]) -> tuple[bool, Callable[..., Any]]:
    if inspect.ismethod(convert) and convert.__self__ is connection.ops:
        return True, convert.__func__
    return False, convert


def insert_one(obj: models.Model) -> None:
    """INSERT an unsaved instance as `obj.save()` would (every concrete field but the key,
    `pre_save` and the database preparation applied; no signals: none is connected to the
    models of the hot paths that call it), its key set from RETURNING, in one hand-written
    statement whose text is built once per process."""
    sql, fields = _insert_sql(type(obj), connection.vendor)
    values = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
    with connection.cursor() as cur:
        cur.execute(sql, values)
        obj.pk = cur.fetchone()[0]
    obj._state.adding, obj._state.db = False, connection.alias


@lru_cache(maxsize=64)
def _insert_sql(model: type[models.Model], vendor: str) -> tuple[str, tuple[Any, ...]]:
    q = connection.ops.quote_name
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    pk = model._meta.pk
    assert pk is not None
    return (
        f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(str(f.column)) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {q(str(pk.column))}",
        fields,
    )
