"""Reads of the bonus ledger: an agent's credits and monthly statements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Sum

from .models import BonusCredit, BonusPolicy


def bonus_policy() -> BonusPolicy:
    """The configured policy, or the defaults when the admin has not saved one."""
    return BonusPolicy.objects.order_by("pk").first() or BonusPolicy()


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """A calendar month in the service's time zone, as aware datetimes [start, end)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start, end


def credits_of(
    *, agent_id: int, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[BonusCredit]:
    qs = BonusCredit.objects.filter(agent_id=agent_id)
    if since is not None:
        qs = qs.filter(credited_at__gte=since)
    if until is not None:
        qs = qs.filter(credited_at__lt=until)
    return list(qs.select_related("andon__product", "andon__reason").order_by("credited_at", "id"))


@dataclass(frozen=True)
class Statement:
    agent_id: int
    agent: str
    year: int
    month: int
    lines: list[BonusCredit]
    currency: str

    @property
    def total(self) -> Decimal:
        return sum((c.amount for c in self.lines), Decimal("0.00"))

    @property
    def period(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def monthly_statement(*, agent_id: int, agent: str, year: int, month: int) -> Statement:
    since, until = month_bounds(year, month)
    lines = credits_of(agent_id=agent_id, since=since, until=until)
    currency = lines[0].currency if lines else bonus_policy().currency
    return Statement(agent_id, agent, year, month, lines, currency)


@dataclass(frozen=True)
class MonthTotal:
    agent_id: int
    agent: str
    credits: int
    total: Decimal


def month_totals(*, year: int, month: int) -> list[MonthTotal]:
    """Every agent credited in the month, with count and total, biggest first."""
    since, until = month_bounds(year, month)
    rows = (
        BonusCredit.objects.filter(credited_at__gte=since, credited_at__lt=until)
        .values("agent_id", "agent__username")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by("-total", "agent__username")
    )
    return [MonthTotal(r["agent_id"], r["agent__username"], r["n"], r["total"]) for r in rows]
