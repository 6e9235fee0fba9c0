"""Order statistics of latency samples (seconds in, milliseconds out)."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile: a value that was actually observed, no interpolation."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Summary:
    n: int
    median_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, samples: list[float]) -> Summary:
        if not samples:
            raise ValueError("no samples")
        return cls(
            n=len(samples),
            median_ms=statistics.median(samples) * 1000,
            p90_ms=percentile(samples, 90) * 1000,
            p95_ms=percentile(samples, 95) * 1000,
            p99_ms=percentile(samples, 99) * 1000,
            max_ms=max(samples) * 1000,
        )

    def against(self, base: Summary) -> list[object]:
        """Samples, p50, p95, p99, max, then p50 and p99 as multiples of `base`'s: a row of
        the pull benches' tables after its label columns."""
        return [
            self.n,
            self.median_ms,
            self.p95_ms,
            self.p99_ms,
            self.max_ms,
            f"{self.median_ms / base.median_ms:.2f}x",
            f"{self.p99_ms / base.p99_ms:.2f}x",
        ]


def ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline else float("nan")


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A Markdown table (also readable as plain text on the terminal)."""
    cells = [[_fmt(c) for c in row] for row in rows]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:,.2f}" if value < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
