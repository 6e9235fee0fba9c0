"""The first writes of a pull that opens an andon: the andon, its evidence and the credited
pull. One statement on PostgreSQL (the evidence and the pull are data-modifying CTEs of the
andon's INSERT, which gives them its id), three elsewhere, the ORM's."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Model

from .models import Andon, AndonEvidence, CordPull


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
    marks = ", ".join(["%s"] * len(andon_values))
    with connection.cursor() as cur:
        cur.execute(
            f"WITH a AS (INSERT INTO {q(Andon._meta.db_table)} ({andon_columns}) VALUES ({marks})"
            f" RETURNING id), e AS (INSERT INTO {q(ev)} (andon_id, contact_id) SELECT a.id, c"
            f" FROM a CROSS JOIN UNNEST(%s::bigint[]) AS c ON CONFLICT DO NOTHING),"
            f" p AS (INSERT INTO {q(CordPull._meta.db_table)} (andon_id, {credit_columns})"
            f" SELECT a.id, {', '.join(['%s'] * len(credit_values))} FROM a RETURNING id)"
            f" SELECT a.id, p.id FROM a, p",
            [*andon_values, evidence, *credit_values],
        )
        andon.pk, credit_id = cur.fetchone()
    andon._state.adding, andon._state.db = False, connection.alias
    credit.andon = andon
    credit.pk = credit_id
    credit._state.adding, credit._state.db = False, connection.alias


def _row(obj: Model, leave_out: str = "") -> tuple[str, list[Any]]:
    """The quoted columns of an unsaved instance and their values, as the ORM would write
    them (every concrete field but the key)."""
    q = connection.ops.quote_name
    fields = [
        f for f in type(obj)._meta.concrete_fields if not f.primary_key and f.attname != leave_out
    ]
    values = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
    return ", ".join(q(str(f.column)) for f in fields), values
