"""Reads of the supplier, manufacturer (printer) and department scorecards: the view a
vendor-management team brings to a supplier meeting. Three GROUP BY queries per scorecard:
the pulls, the holds written and the lines of pending scopes (holds.scopes). Reads only.

An andon belongs to the supplier (or manufacturer) of the batch its first evidence came from
(the unit a customer complained about), else of the first batch it held: one owner per pull,
so nothing is counted twice. Held units and the GMV they would have sold for are counted by
the batch of each hold; a pending scope's packed lines count as the holds a materialization
would write for them. A department's figures come from its own work orders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from andon.catalog.models import Product
from andon.holds.models import Hold
from andon.holds.scopes import scope_line_pairs
from andon.pulls.models import Andon, AndonEvidence
from andon.workorders.models import WorkOrder

from . import rules
from .families import scope_line_value

By = Literal["supplier", "manufacturer", "department"]
BY: tuple[By, ...] = ("supplier", "manufacturer", "department")


@dataclass(frozen=True)
class Scorecard:
    key: str  # supplier or manufacturer name, department code ("" when unknown)
    pulls: int
    problems: int
    units_held: int
    gmv_suppressed: Decimal
    fix_hours: Decimal | None  # mean pull -> closed (department: created -> resolved)
    repeats: int  # pulls of a product that had been fixed before
    sla_met: Decimal | None = None  # departments only


def _repeat(since: dt.datetime, prefix: str = "") -> Q:
    """The pull (opened at or after `since`) is a repeat: its product had an andon closed
    before it. Most repeats are of products already fixed before the range: that set is one
    hashed subquery over the catalog (an index probe per product on (product, closed_at)),
    and only the pulls of other products are tested one by one (the same index). Testing
    every pull of 12 weeks at 10M contacts took seconds (bench/RESULTS-flywheel.md)."""
    fixed_early = Product.objects.filter(
        Exists(Andon.objects.filter(product_id=OuterRef("pk"), closed_at__lt=since))
    ).values("pk")
    each = Exists(
        Andon.objects.filter(
            product_id=OuterRef(f"{prefix}product_id"),
            closed_at__lt=OuterRef(f"{prefix}opened_at"),
        )
    )
    return Q(**{f"{prefix}product_id__in": fixed_early}) | Q(each)


def _owner(by: By) -> Coalesce:
    evidence = (
        AndonEvidence.objects.filter(andon_id=OuterRef("pk"))
        .exclude(**{f"contact__order_line__batch__{by}": ""})
        .order_by("contact__created_at", "id")
        .values(f"contact__order_line__batch__{by}")[:1]
    )
    held = (
        Hold.objects.filter(andon_id=OuterRef("pk"))
        .exclude(**{f"stock_level__batch__{by}": ""})
        .order_by("id")
        .values(f"stock_level__batch__{by}")[:1]
    )
    return Coalesce(Subquery(evidence), Subquery(held))


def _gmv() -> ExpressionWrapper:
    return ExpressionWrapper(
        F("quantity") * Coalesce(F("stock_level__product__price"), F("order_line__unit_price")),
        output_field=DecimalField(max_digits=18, decimal_places=2),
    )


def _in(qs: QuerySet, field: str, since: dt.datetime, until: dt.datetime) -> QuerySet:
    return qs.filter(**{f"{field}__gte": since, f"{field}__lt": until})


def scorecards(*, by: By, since: dt.datetime, until: dt.datetime) -> list[Scorecard]:
    """One row per supplier, manufacturer or department with a pull in the range, most
    pulls first."""
    if by == "department":
        return _departments(since, until)
    pulls = (
        _in(Andon.objects.all(), "opened_at", since, until)
        .annotate(owner=_owner(by))
        .values("owner")
        .annotate(
            pulls=Count("id"),
            problems=Count("problem_id", distinct=True),
            fix=Avg(
                ExpressionWrapper(F("closed_at") - F("opened_at"), output_field=DurationField())
            ),
            repeats=Count("id", filter=_repeat(since)),
        )
        .order_by()
    )
    batch = Coalesce(F(f"stock_level__batch__{by}"), F(f"order_line__batch__{by}"))
    held = _held(
        _in(Hold.objects.all(), "andon__opened_at", since, until).annotate(owner=batch),
        # A pending scope's lines count by their own batch, as their holds would.
        _in(scope_line_pairs(), "andon__opened_at", since, until).annotate(
            owner=F(f"line__batch__{by}")
        ),
        "owner",
    )
    out = [
        Scorecard(
            key=r["owner"] or "",
            pulls=r["pulls"],
            problems=r["problems"],
            units_held=(held.get(r["owner"]) or {}).get("units") or 0,
            gmv_suppressed=rules.money((held.get(r["owner"]) or {}).get("gmv")),
            fix_hours=rules.hours(r["fix"]),
            repeats=r["repeats"],
        )
        for r in pulls
    ]
    return sorted(out, key=lambda s: (-s.pulls, s.key))


def dict_by(rows: Any, key: str) -> dict[Any, dict[str, Any]]:
    return {r[key]: r for r in rows}


def _held(holds: QuerySet, pairs: QuerySet, key: str) -> dict[Any, dict[str, Any]]:
    """Units held and their GMV per `key`: the holds written (a GROUP BY), plus the packed
    lines of pending scopes (holds.scopes.scope_line_pairs, a second one), counted as the
    holds a materialization would write. Reads only: nothing is materialized here."""
    out = dict_by(
        holds.values(key).annotate(units=Sum("quantity"), gmv=Sum(_gmv())).order_by(), key
    )
    pair_sums = {"units": Sum("line__quantity"), "gmv": Sum(scope_line_value())}
    for r in pairs.values(key).annotate(**pair_sums).order_by():
        have = out.setdefault(r[key], {key: r[key], "units": 0, "gmv": None})
        have["units"] = (have["units"] or 0) + (r["units"] or 0)
        if r["gmv"] is not None:
            have["gmv"] = (have["gmv"] or 0) + r["gmv"]
    return out


def _departments(since: dt.datetime, until: dt.datetime) -> list[Scorecard]:
    wos = (
        _in(WorkOrder.objects.all(), "andon__opened_at", since, until)
        .values("department__code")
        .annotate(
            # One work order per andon and department (workorder_one_per_department, the
            # department not null): counting work orders counts the department's pulls,
            # without the sort a DISTINCT costs.
            pulls=Count("id"),
            problems=Count("andon__problem_id", distinct=True),
            fix=Avg(
                ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
            ),
            resolved=Count("id", filter=Q(resolved_at__isnull=False)),
            met=Count("id", filter=Q(resolved_at__lte=F("due_at"))),
            repeats=Count("id", filter=_repeat(since, "andon__")),
        )
        .order_by()
    )
    held = _held(
        _in(Hold.objects.all(), "andon__opened_at", since, until),
        _in(scope_line_pairs(), "andon__opened_at", since, until),
        "andon__work_orders__department__code",
    )
    out = [
        Scorecard(
            key=r["department__code"],
            pulls=r["pulls"],
            problems=r["problems"],
            units_held=(held.get(r["department__code"]) or {}).get("units") or 0,
            gmv_suppressed=rules.money((held.get(r["department__code"]) or {}).get("gmv")),
            fix_hours=rules.hours(r["fix"]),
            repeats=r["repeats"],
            sla_met=rules.share(r["met"], r["resolved"]),
        )
        for r in wos
    ]
    return sorted(out, key=lambda s: (-s.pulls, s.key))


def andons_behind(
    *, by: By, key: str, since: dt.datetime, until: dt.datetime, limit: int = 200
) -> list[Andon]:
    """The pulls behind one scorecard row, newest first."""
    qs = _in(Andon.objects.all(), "opened_at", since, until)
    if by == "department":
        qs = qs.filter(work_orders__department__code=key)
    else:
        qs = qs.annotate(owner=_owner(by)).filter(owner=key or None)
    return list(
        qs.select_related("product", "reason", "opened_by", "team").order_by("-opened_at")[:limit]
    )
