"""Chart.js configurations built on the server from selector rows: the page only hands them
to the vendored Chart.js, so the numbers in a chart are the numbers in the table beside it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from andon.core.rates import rate_percent, target_percent
from andon.flywheel.display import shown
from andon.flywheel.rules import Figure
from andon.reviews.selectors import RateRow

# Colour-blind-safe pairs; red/green status is also written in words in every table.
PALETTE = ["#0b6bcb", "#d9480f", "#2f9e44", "#7048e8", "#c2255c", "#1098ad", "#f59f00"]
TARGET = "#c92a2a"


def _pct(rate: Decimal | None, target: Decimal) -> float | None:
    # The number the table beside the chart shows (andon.core.rates), not a longer float.
    shown = rate_percent(rate, against=target)
    return None if shown is None else float(shown)


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
                "label": key or all_label or capfirst(_("whole organisation")),
                "data": [
                    _pct(by_key[(key, p)].rate, target) if (key, p) in by_key else None
                    for p in labels
                ],
                "borderColor": PALETTE[i % len(PALETTE)],
                "backgroundColor": PALETTE[i % len(PALETTE)],
                "spanGaps": True,
                "tension": 0,
            }
        )
    datasets.append(
        {
            "label": capfirst(_("target")),
            "data": [float(target_percent(target))] * len(labels),
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
                    "title": {"display": True, "text": capfirst(_("bad-andon rate (%)"))},
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
                    "label": capfirst(_("invalid pulls")),
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


def figure_trend(labels: Sequence[str], figure: Figure, name: str) -> dict:
    """One flywheel figure over the periods (its parts stacked when it has parts), with its
    target as a dashed line; the numbers are those the table shows (andon.flywheel.display)."""

    def nums(values: Sequence) -> list[float | None]:
        out = []
        for v in values:
            s = shown(v, figure.unit, figure.target)
            out.append(None if s is None else float(s))
        return out

    if figure.series:
        datasets: list[dict[str, object]] = [
            {
                "label": part,
                "data": nums(trend),
                "backgroundColor": PALETTE[i % len(PALETTE)],
                "stack": "parts",
            }
            for i, (part, trend) in enumerate(sorted(figure.series.items()))
        ]
        kind = "bar"
    else:
        colour = PALETTE[0]
        datasets = [
            {
                "label": name,
                "data": nums(figure.trend),
                "borderColor": colour,
                "backgroundColor": colour,
                "spanGaps": True,
                "tension": 0,
            }
        ]
        kind = "line" if figure.unit != "count" else "bar"
    if figure.target is not None:
        target = shown(figure.target, figure.unit, figure.target)
        target_line: dict[str, object] = {
            "type": "line",
            "label": capfirst(_("target")),
            "data": [float(target)] * len(labels) if target is not None else [],
            "borderColor": TARGET,
            "borderDash": [6, 4],
            "pointRadius": 0,
            "borderWidth": 2,
        }
        datasets.append(target_line)
    return {
        "type": kind,
        "data": {"labels": list(labels), "datasets": datasets},
        "options": {
            "animation": False,
            "responsive": True,
            "maintainAspectRatio": False,
            "scales": {
                "x": {"stacked": bool(figure.series)},
                "y": {"beginAtZero": True, "stacked": bool(figure.series)},
            },
            "plugins": {
                "legend": {
                    "display": bool(figure.series) or figure.target is not None,
                    "position": "bottom",
                }
            },
        },
    }
