"""Detection's writes: the contact intake that assigns a problem, an import's assignment, and
the rebuild (a person's corrections are in corrections.py).

The intake is the one way the console and the API record a contact: the service desk's
`contact_record` and the assignment commit together, the assignment inside a savepoint, so
that whatever goes wrong in detection the contact is recorded all the same (SPEC: "the
contact is still recorded"); it never waits for the model (lexical fallback until it is
loaded) and never takes a lock a pull takes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from andon.catalog.models import Product
from andon.contacts.models import Contact
from andon.contacts.services import contact_record

from . import embedding, rules
from .assign import (
    INCOMING_FIELDS,
    Incoming,
    contact_assign,
    problems_referenced,
    unassigned_contact_ids,
)
from .batch import (
    COLUMNS,
    assignment_row,
    assignments_insert,
    contacts_assign,
    vectors_for,
    write_new_problems,
)
from .models import Assignment, Problem, ProblemState
from .replay import Replay
from .settle import products_settle
from .tasks import products_settle_task

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Intake:
    contact: Contact
    assignment: Assignment | None


# No savepoint of its own (two statements a contact): its one caller, the watch's
# contact_intake_watched, holds one around it, or runs in a block that rolls back whatever
# fails (the API's request).
@transaction.atomic(savepoint=False)
def contact_intake(*, actor: User, **fields: Any) -> Intake:
    """Record a contact (`contacts.services.contact_record`'s arguments) and assign it to a
    problem of its product in the same transaction. The assignment can fail without failing
    the contact: it is then None, and the next rebuild or import assigns the contact."""
    contact = contact_record(actor=actor, **fields)
    return Intake(contact, assignment_quietly(contact))


def assignment_quietly(contact: Contact) -> Assignment | None:
    try:
        with transaction.atomic():
            return contact_assign(contact=contact, wait_for_model=False)
    except Exception:  # detection must never cost the customer's voice
        log.exception("detection: contact %s left unassigned", contact.pk)
        return None


def contacts_assign_quietly(*, contact_ids: list[int]) -> int:
    """An import's contacts, assigned set-based in a transaction of their own (a savepoint
    when the caller has one): if detection fails, the contacts are imported all the same
    (and `andon detection pending` assigns them later)."""
    if not contact_ids:
        return 0
    try:
        with transaction.atomic():
            return contacts_assign(contact_ids=contact_ids)
    except Exception:
        log.exception("detection: %d imported contacts left unassigned", len(contact_ids))
        return 0


IMPORT_PART = 20_000
# Products an import re-groups before it returns (about 30 ms each at 100 recent reports,
# bench/RESULTS-detection.md); a labelled set or a day's file of a shop fits, a catalogue-wide
# file hands the rest to a worker.
SETTLE_INLINE = 50


def contacts_import_starting(*, rows: int) -> None:
    """An import of `rows` contacts begins: the model's encoding processes start loading
    while its chunks are written (embedding.batch_warm_up), never failing the import."""
    try:
        embedding.batch_warm_up(rows)
    except Exception:
        log.exception("detection: the encoding processes could not start")


def contacts_assign_imported(*, external_ids: Sequence[str]) -> int:
    """An import's contacts that have no problem yet, assigned after the import's chunks have
    committed, IMPORT_PART rows at a time (each part its own transaction, quietly as above):
    a product's candidates are read once a part instead of once per 1,000-row chunk, and the
    texts are encoded in the part's batches. The contacts are in whatever happens here.
    Then each product the import touched is re-grouped once (settle.py): its problems are the
    order-independent grouping, not the one the file's order gave. The SETTLE_INLINE products
    the import gave most contacts are re-grouped here, before the import returns; the others
    by a worker (tasks.products_settle_task), so that a file over a large catalogue is not
    held up by ~30 ms of re-grouping a product."""
    ids = list(dict.fromkeys(e for e in external_ids if e))
    done = 0
    products: Counter[int] = Counter()
    now = timezone.now()
    since = now - dt.timedelta(days=rules.WINDOW_DAYS)
    for start in range(0, len(ids), IMPORT_PART):
        part = ids[start : start + IMPORT_PART]
        rows = list(
            Contact.objects.filter(external_id__in=part, assignment__isnull=True)
            .order_by("created_at", "id")
            .values_list("id", "product_id", "created_at")
        )
        done += contacts_assign_quietly(contact_ids=[cid for cid, _, _ in rows])
        # Contacts older than the window change no product's re-grouping (a history import).
        products.update(pid for _, pid, at in rows if at >= since)
    ranked = [pid for pid, _n in products.most_common()]
    products_settle(ranked[:SETTLE_INLINE], now=now)
    if later := ranked[SETTLE_INLINE:]:
        products_settle_task.enqueue(sorted(later))
    return done


# --- rebuild ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rebuilt:
    products: int
    contacts: int
    problems: int


def problems_rebuild(
    *, sku: str | None = None, progress: Callable[[int], None] | None = None
) -> Rebuilt:
    """Recompute every assignment from scratch (one product, or all), replaying the contacts
    in the order they were reported with the same decision as online assignment. Corrections
    stay where a person put them and teach the replay from the start. Problems keep their ids
    where their members mostly stay; emptied problems are deleted, or kept as "dissolved"
    when an andon cites them. One transaction per product."""
    products = Product.objects.filter(contacts__isnull=False).distinct().order_by("id")
    if sku is not None:
        products = products.filter(sku=sku)
    totals = [0, 0, 0]
    for product_id in products.values_list("id", flat=True):
        with transaction.atomic():
            contacts, problems = _rebuild_product(product_id)
        totals[0] += 1
        totals[1] += contacts
        totals[2] += problems
        if progress:
            progress(contacts)
    return Rebuilt(*totals)


def contacts_to_rebuild(*, sku: str | None = None) -> int:
    qs = Contact.objects.all()
    return qs.filter(product__sku=sku).count() if sku else qs.count()


def _rebuild_product(product_id: int) -> tuple[int, int]:
    # The product's problems are rewritten: lock them so that corrections wait for us.
    list(Problem.objects.select_for_update().filter(product_id=product_id).values_list("id"))
    items = [
        Incoming(*row)
        for row in Contact.objects.filter(product_id=product_id)
        .order_by("created_at", "id")
        .values_list(*INCOMING_FIELDS)
    ]
    old = {
        a["contact_id"]: a
        for a in Assignment.objects.filter(product_id=product_id).values(
            "contact_id", "problem_id", "pinned", "vector", "corrected_by_id", "corrected_at"
        )
    }
    open_ids = set(
        Problem.objects.filter(product_id=product_id, state=ProblemState.OPEN).values_list(
            "id", flat=True
        )
    )
    vectors = vectors_for(items, {cid: bytes(a["vector"]) for cid, a in old.items()})
    replay = Replay(product_id, expected=len(items))
    placed = []
    for it in items:
        before = old.get(it.contact_id)
        pinned = before["problem_id"] if before and before["pinned"] else None
        if pinned is not None and pinned not in open_ids:
            pinned = None  # its problem is gone: a person's choice no longer applies
        placed.append((it, replay.place(it, vectors.get(it.contact_id), pinned)))
    _reuse_ids(placed, old, open_ids)
    Assignment.objects.filter(product_id=product_id).delete()
    keys = write_new_problems(product_id, replay, placed)
    rows = []
    # Columns of a row: a corrected contact keeps who corrected it, and when.
    i_pinned, i_by, i_at = (
        COLUMNS.index(name) for name in ("pinned", "corrected_by_id", "corrected_at")
    )
    for it, ch in placed:
        row = assignment_row(it, vectors.get(it.contact_id), ch, keys)
        before = old.get(it.contact_id)
        if row[i_pinned] and before:
            row[i_by], row[i_at] = before["corrected_by_id"], before["corrected_at"]
        rows.append(row)
    assignments_insert(rows)
    used = set(keys.values())
    gone = Problem.objects.filter(product_id=product_id, state=ProblemState.OPEN).exclude(
        pk__in=used
    )
    gone.filter(problems_referenced()).update(state=ProblemState.DISSOLVED)
    gone.exclude(problems_referenced()).delete()
    return len(items), len(used)


def _reuse_ids(
    placed: list[tuple[Incoming, rules.Choice]], old: dict[int, Any], open_ids: set[int]
) -> None:
    """Give each new group the id of the old open problem it shares most contacts with (each
    old id once, the largest overlaps first), so that links and andons keep pointing at the
    same problem. A problem that holds corrected contacts takes back the largest group of its
    former members too: a person put a contact beside those members, and the replay's order
    (the corrected contact may be older than them) must not separate them again."""
    overlap: dict[tuple[int, int], int] = {}
    for it, ch in placed:
        before = old.get(it.contact_id)
        if ch.key is not None and ch.key < 0 and before and before["problem_id"] in open_ids:
            pair = (ch.key, before["problem_id"])
            overlap[pair] = overlap.get(pair, 0) + 1
    taken: set[int] = set()
    renamed: dict[int, int] = {}
    for (key, pid), _n in sorted(overlap.items(), key=lambda kv: (-kv[1], kv[0][1], -kv[0][0])):
        if key in renamed or pid in taken:
            continue
        renamed[key] = pid
        taken.add(pid)
    for i, (it, ch) in enumerate(placed):
        if ch.key in renamed:
            method = ch.method
            placed[i] = (
                it,
                type(ch)(renamed[ch.key], method, ch.score, ch.matched_contact_id, ch.similarity),
            )


def contacts_assign_pending(
    *, sku: str | None = None, progress: Callable[[int], None] | None = None
) -> int:
    """Assign contacts recorded without a problem (a failed assignment, a write path that
    bypassed the intake)."""
    product_id = None
    if sku is not None:
        product_id = Product.objects.filter(sku=sku).values_list("id", flat=True).first()
        if product_id is None:
            return 0
    ids = unassigned_contact_ids(product_id=product_id)
    done = 0
    for start in range(0, len(ids), 5000):
        with transaction.atomic():
            done += contacts_assign(contact_ids=ids[start : start + 5000], progress=progress)
    return done


def problem_customers(
    *, problem_ids: list[int], since: dt.datetime | None = None
) -> dict[int, int]:
    """Distinct customers per problem (a customer who reports twice is one customer)."""
    qs = Assignment.objects.filter(problem_id__in=problem_ids)
    if since is not None:
        qs = qs.filter(reported_at__gte=since)
    return dict(
        qs.values("problem_id")
        .annotate(n=Count("customer_id", distinct=True))
        .values_list("problem_id", "n")
    )


def model_status() -> str:
    return "ready" if embedding.ready() else ("off" if not embedding.enabled() else "loading")
