"""Small SQL helpers every domain may use (core is the bottom layer)."""

from __future__ import annotations

from collections.abc import Iterable
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
