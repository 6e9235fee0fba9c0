"""Chart.js configurations built on the server from selector rows: the page only hands them
to the vendored Chart.js, so the numbers in a chart are the numbers in the table beside it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .selectors import RateRow

# Colour-blind-safe pairs; red/green status is also written in words in every table.
PALETTE = ["#0b6bcb", "#d9480f", "#2f9e44", "#7048e8", "#c2255c", "#1098ad", "#f59f00"]
TARGET = "#c92a2a"


def _pct(rate: Decimal | None) -> float | None:
    return None if rate is None else float(rate * 100)


def rate_trend(rows: Sequence[RateRow], target: Decimal, *, all_label: str = "") -> dict:
    """A line per team lead (or team, or the organisation) over the periods, and the target."""
    periods = sorted({(r.period_start, r.period) for r in rows})
    labels = [p for _, p in periods]
    keys = sorted({r.key for r in rows})
    by_key = {(r.key, r.period): r for r in rows}
    datasets = []
    for i, key in enumerate(keys):
        datasets.append(
            {
                "label": key or all_label or _("whole organisation"),
                "data": [
                    _pct(by_key[(key, p)].rate) if (key, p) in by_key else None for p in labels
                ],
                "borderColor": PALETTE[i % len(PALETTE)],
                "backgroundColor": PALETTE[i % len(PALETTE)],
                "spanGaps": True,
                "tension": 0,
            }
        )
    datasets.append(
        {
            "label": _("target"),
            "data": [float(target * 100)] * len(labels),
            "borderColor": TARGET,
            "borderDash": [6, 4],
            "pointRadius": 0,
            "borderWidth": 2,
        }
    )
    return {
        "type": "line",
        "data": {"labels": labels, "datasets": datasets},
        "options": {
            "animation": False,
            "responsive": True,
            "maintainAspectRatio": False,
            "scales": {
                "y": {
                    "beginAtZero": True,
                    "title": {"display": True, "text": _("bad-andon rate (%)")},
                }
            },
            "plugins": {"legend": {"position": "bottom"}},
        },
    }


def causes_bar(causes: dict[str, int], labels: Mapping[str, str | Promise]) -> dict:
    return {
        "type": "bar",
        "data": {
            "labels": [str(labels[c]) for c in causes],
            "datasets": [
                {
                    "label": _("invalid pulls"),
                    "data": list(causes.values()),
                    "backgroundColor": "#d9480f",
                }
            ],
        },
        "options": {
            "animation": False,
            "responsive": True,
            "maintainAspectRatio": False,
            "indexAxis": "y",
            "plugins": {"legend": {"display": False}},
            "scales": {"x": {"beginAtZero": True, "ticks": {"precision": 0}}},
        },
    }
