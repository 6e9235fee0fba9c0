"""The first writes of a pull that opens an andon: the andon, its evidence and the credited
pull. One statement on PostgreSQL (the evidence and the pull are data-modifying CTEs of the
andon's INSERT, which gives them its id), three elsewhere, the ORM's."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Model

from .models import Andon, AndonEvidence, CordPull

# The detected problem a pull is for, kept only if it is still there and no re-grouping holds
# it: detection's rows are read without waiting, and a re-grouping may delete a problem it
# has emptied. Locked (key share) when kept, so that none deletes it before this commits;
# else the andon opens all the same, with its evidence and without the link (a deferred
# foreign key to a deleted problem would fail the stop-sell at commit).
PROBLEM_STILL_THERE = "(SELECT id FROM {table} WHERE id = %s FOR KEY SHARE SKIP LOCKED)"


def andon_write(*, andon: Andon, evidence: list[int], credit: CordPull) -> None:
    """Insert `andon` (unsaved), link the contacts `evidence` to it and insert `credit`, its
    pull (unsaved; its andon is set here). Both instances come back saved, with their ids."""
    if connection.vendor != "postgresql":
        andon.save(force_insert=True)
        AndonEvidence.objects.bulk_create(
            [AndonEvidence(andon=andon, contact_id=c) for c in evidence], ignore_conflicts=True
        )
        credit.andon = andon
        credit.save(force_insert=True)
        return
    q = connection.ops.quote_name
    andon_columns, andon_values = _row(andon)
    credit_columns, credit_values = _row(credit, leave_out="andon_id")
    ev = AndonEvidence._meta.db_table
    problems = q(Andon._meta.get_field("problem").related_model._meta.db_table)
    problem = PROBLEM_STILL_THERE.format(table=problems)
    marks = [problem if c == q("problem_id") else "%s" for c in andon_columns]
    credit_marks = ", ".join(["%s"] * len(credit_values))
    with connection.cursor() as cur:
        cur.execute(
            f"WITH a AS (INSERT INTO {q(Andon._meta.db_table)} ({', '.join(andon_columns)})"
            f" VALUES ({', '.join(marks)}) RETURNING id, problem_id),"
            f" e AS (INSERT INTO {q(ev)} (andon_id, contact_id) SELECT a.id, c"
            f" FROM a CROSS JOIN UNNEST(%s::bigint[]) AS c ON CONFLICT DO NOTHING),"
            f" p AS (INSERT INTO {q(CordPull._meta.db_table)}"
            f" (andon_id, {', '.join(credit_columns)}) SELECT a.id, {credit_marks} FROM a"
            " RETURNING id)"
            f" SELECT a.id, a.problem_id, p.id FROM a, p",
            [*andon_values, evidence, *credit_values],
        )
        andon.pk, andon.problem_id, credit_id = cur.fetchone()
    andon._state.adding, andon._state.db = False, connection.alias
    credit.andon = andon
    credit.pk = credit_id
    credit._state.adding, credit._state.db = False, connection.alias


def _row(obj: Model, leave_out: str = "") -> tuple[list[str], list[Any]]:
    """The quoted columns of an unsaved instance and their values, as the ORM would write
    them (every concrete field but the key)."""
    q = connection.ops.quote_name
    fields = [
        f for f in type(obj)._meta.concrete_fields if not f.primary_key and f.attname != leave_out
    ]
    values = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
    return [q(str(f.column)) for f in fields], values
