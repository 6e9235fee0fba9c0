"""Reads of the bonus ledger: an agent's lines (credits, and corrections that reverse one) and
monthly statements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, Sum

from .models import BonusCredit, BonusPolicy, EntryKind


def bonus_policy() -> BonusPolicy:
    """The configured policy, or the defaults when the admin has not saved one."""
    return BonusPolicy.objects.order_by("pk").first() or BonusPolicy()


def standing_lines(*, andon_id: int) -> list[BonusCredit]:
    """The credits of a pull that no reversal cancels (at most one per agent): per agent, the
    last line, when it is a credit."""
    last: dict[int, BonusCredit] = {}
    for line in (
        BonusCredit.objects.filter(andon_id=andon_id)
        .select_related("agent")
        .order_by("agent_id", "sequence")
    ):
        last[line.agent_id] = line
    return [line for line in last.values() if line.kind == EntryKind.CREDIT]


def pull_balance(*, andon_id: int, agent_id: int) -> Decimal:
    """What the pull has paid the agent, net of reversals: its bonus or zero, never below."""
    total = BonusCredit.objects.filter(andon_id=andon_id, agent_id=agent_id).aggregate(
        total=Sum("amount")
    )["total"]
    return total if total is not None else Decimal("0.00")


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
    return list(
        qs.select_related("andon__product", "andon__reason", "reverses").order_by(
            "credited_at", "id"
        )
    )


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
        """Credits less corrections of the month: what payroll settles."""
        return sum((c.amount for c in self.lines), Decimal("0.00"))

    @property
    def credited(self) -> Decimal:
        return sum((c.amount for c in self.lines if not c.is_reversal), Decimal("0.00"))

    @property
    def corrected(self) -> Decimal:
        """The reversals of the month (zero or negative): bonuses of pulls whose verdict was
        corrected to invalid, credited this month or earlier."""
        return sum((c.amount for c in self.lines if c.is_reversal), Decimal("0.00"))

    @property
    def has_corrections(self) -> bool:
        return any(c.is_reversal for c in self.lines)

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
    corrections: int = 0


def month_totals(*, year: int, month: int) -> list[MonthTotal]:
    """Every agent with a ledger line in the month: credits, corrections and the net total,
    biggest first."""
    since, until = month_bounds(year, month)
    rows = (
        BonusCredit.objects.filter(credited_at__gte=since, credited_at__lt=until)
        .values("agent_id", "agent__username")
        .annotate(
            n=Count("id", filter=Q(kind=EntryKind.CREDIT)),
            corrections=Count("id", filter=Q(kind=EntryKind.REVERSAL)),
            total=Sum("amount"),
        )
        .order_by("-total", "agent__username")
    )
    return [
        MonthTotal(r["agent_id"], r["agent__username"], r["n"], r["total"], r["corrections"])
        for r in rows
    ]


def ledger_of_pull(*, andon_id: int) -> list[BonusCredit]:
    """Every ledger line of one pull, in order: what it paid, and what corrections took back."""
    return list(
        BonusCredit.objects.filter(andon_id=andon_id)
        .select_related("agent")
        .order_by("agent_id", "sequence")
    )
