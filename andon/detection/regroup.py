"""Re-grouping a product's recent contacts (linkage.py), written back: `andon detection
regroup` and `andon detection rebuild --regroup`. Online assignment stays greedy (one
contact at a time, within the intake's budget); this settles, off that path, what arrival
order decided alone: young problems whose first reports chose for everyone after them.

Contract: one transaction per product, the product's problems locked (corrections wait).
A problem a person corrected keeps its members, and others may join it (linkage's
constraints). Each new group takes the id of the open problem it shares most contacts with
(each id once, the largest overlaps first), so links and andons keep pointing where they
pointed; emptied problems are deleted, or kept as "dissolved" when an andon cites them (as a
rebuild does).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from . import embedding, linkage, rules

# The assignment's cache of texts' lexical evidence: an import or an intake has just read
# most of the window's texts as candidates, and the worker re-groups a busy product often.
from .assign import _lexical as lexical_cached
from .assign import labels_for, problems_referenced
from .models import Assignment, Method, Problem, ProblemState


@dataclass(frozen=True)
class Regrouped:
    products: int
    contacts: int  # contacts read (the products' windows)
    moved: int  # contacts whose problem changed


def problems_regroup(
    *,
    sku: str | None = None,
    now: dt.datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> Regrouped:
    """Re-group the window (rules.WINDOW_DAYS before `now`, the newest
    rules.CANDIDATE_REPORTS contacts, corrected ones first) of one product or of every
    product with contacts in it."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=rules.WINDOW_DAYS)
    products = (
        Assignment.objects.filter(reported_at__gte=since, reported_at__lte=now)
        .values_list("product_id", flat=True)
        .distinct()
        .order_by("product_id")
    )
    if sku is not None:
        products = products.filter(product__sku=sku)
    totals = [0, 0, 0]
    for product_id in list(products):
        with transaction.atomic():
            read, moved = product_regroup(product_id=product_id, now=now)
        totals[0] += 1
        totals[1] += read
        totals[2] += moved
        if progress:
            progress(read)
    return Regrouped(*totals)


def product_regroup(*, product_id: int, now: dt.datetime) -> tuple[int, int]:
    """Re-group one product's window; returns (contacts read, contacts moved)."""
    list(Problem.objects.select_for_update().filter(product_id=product_id).values_list("id"))
    rows = list(
        Assignment.objects.filter(
            product_id=product_id,
            reported_at__gte=now - dt.timedelta(days=rules.WINDOW_DAYS),
            reported_at__lte=now,
            problem__state=ProblemState.OPEN,
        )
        .order_by("-pinned", "-reported_at", "-contact_id")
        .values_list(
            "pk",
            "contact_id",
            "problem_id",
            "customer_id",
            "reason_id",
            "reported_at",
            "vector",
            "pinned",
            "contact__text",
        )[: rules.CANDIDATE_REPORTS]
    )
    # Contacts without text follow their reason code online; they are left where they are.
    rows = [r for r in rows if r[8].strip()]
    if len(rows) < 2:
        return len(rows), 0
    vectors = embedding.from_bytes_many([bytes(r[6]) if r[6] else None for r in rows])
    if any(v is None for v in vectors) and not all(v is None for v in vectors):
        # Pairs of one kind of evidence only: the weights of the two kinds are not on one
        # scale, and a rebuild re-embeds what the lexical fallback assigned.
        vectors = [None] * len(rows)
    reports = [
        rules.Report(cid, cust, reason, at, lexical_cached(text), vec, True, pinned)
        for (_, cid, _, cust, reason, at, _, pinned, text), vec in zip(rows, vectors, strict=True)
    ]
    # A problem a person corrected keeps its members: they were read beside that decision
    # (a contact moved away from its companions must not be grouped with them again).
    corrected = {r[2] for r in rows if r[7]}
    fixed = [r[2] if r[2] in corrected else None for r in rows]
    z = linkage.pair_matrix(reports)
    groups = linkage.agglomerate(z, fixed)
    target = _targets([r[2] for r in rows], fixed, groups)
    moved = _write(product_id, rows, reports, z, groups, target, vectors[0] is not None)
    return len(rows), moved


def _targets(
    problems: list[int], fixed: list[int | None], groups: list[int]
) -> dict[int, int | None]:
    """The problem id each group takes: a group holding corrected contacts, their problem;
    otherwise the open problem it shares most contacts with, each id once, the largest
    overlaps first; else None (a new problem)."""
    target: dict[int, int | None] = {}
    for g, key in zip(groups, fixed, strict=True):
        if key is not None:
            target[g] = key
    taken = set(target.values())
    overlap = Counter((g, p) for g, p in zip(groups, problems, strict=True) if g not in target)
    for (g, p), _n in sorted(overlap.items(), key=lambda kv: (-kv[1], kv[0][1], kv[0][0])):
        if g in target or p in taken:
            continue
        target[g] = p
        taken.add(p)
    for g in groups:
        target.setdefault(g, None)
    return target


def _write(
    product_id: int,
    rows: list[tuple],
    reports: list[rules.Report],
    z: np.ndarray,
    groups: list[int],
    target: dict[int, int | None],
    by_vector: bool,
) -> int:
    members: dict[int, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    # New problems, each labelled by its first report, in one statement (a window that
    # arrival order grouped badly may split into dozens).
    new = [g for g in members if target[g] is None]
    firsts = [min(members[g], key=lambda j: rows[j][5]) for g in new]
    created = Problem.objects.bulk_create(
        Problem(product_id=product_id, created_at=rows[j][5], **labels_for(rows[j][8]))
        for j in firsts
    )
    for g, problem in zip(new, created, strict=True):
        target[g] = problem.pk
    changed = []
    left: set[int] = set()
    for i, g in enumerate(groups):
        pk, problem_id, pinned, into = rows[i][0], rows[i][2], rows[i][7], target[g]
        if into is None or into == problem_id or pinned:
            continue
        others = [j for j in members[g] if j != i]
        a = Assignment(pk=pk, problem_id=into)
        a.method = Method.EMBEDDING if by_vector else Method.LEXICAL
        if others:
            zs = z[i, others]
            top = others[int(np.argmax(zs))]
            a.score = float(1.0 / (1.0 + np.exp(-zs.mean())))
            a.matched_contact_id = reports[top].contact_id
            a.similarity = _similarity(reports[i], reports[top])
        else:
            a.score, a.matched_contact_id, a.similarity = 0.0, None, 0.0
        changed.append(a)
        left.add(problem_id)
    if not changed:  # the usual case once settled: no statement, no query built
        return 0
    Assignment.objects.bulk_update(
        changed, ["problem", "method", "score", "matched_contact", "similarity"], batch_size=500
    )
    emptied = Problem.objects.filter(pk__in=left, state=ProblemState.OPEN).exclude(
        assignments__isnull=False
    )
    emptied.filter(problems_referenced()).update(state=ProblemState.DISSOLVED)
    emptied.exclude(problems_referenced()).delete()
    return len(changed)


def _similarity(a: rules.Report, b: rules.Report) -> float:
    return rules.pair_logit(a, b)[1]
