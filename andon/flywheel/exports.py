"""The dashboard and the scorecards as CSV or XLSX: the numbers as the pages show them (a
share as its percentage), headers in the active language. The dashboard: one row per figure,
one column per period."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from . import display
from .scorecards import Scorecard
from .selectors import Dashboard

FORMATS = {
    "share": "0.0",
    "hours": "0.0",
    "minutes": "0.0",
    "money": "#,##0.00",
    "per_1000": "#,##0.00",
    "count": "0",
}
FIRST_VALUE = 5  # columns before the periods: layer, element, figure, unit, target


def dashboard_rows(d: Dashboard) -> tuple[list[str], list[list]]:
    header = [_("layer"), _("element"), _("figure"), _("unit"), _("target"), *d.window.labels]
    rows = []
    for e in d.elements:
        for f in e.figures:
            unit = "%" if f.unit == "share" else display.SUFFIX.get(f.unit, "").strip()
            target = display.shown(f.target, f.unit, f.target) if f.target is not None else ""
            rows.append(
                [
                    str(display.LAYERS[e.layer]),
                    str(display.ELEMENTS[e.element]),
                    str(display.FIGURES[f.key]),
                    unit,
                    target,
                    *(display.shown(v, f.unit, f.target) for v in f.trend),
                ]
            )
            for part, trend in f.series.items():
                rows.append(["", "", f"{display.FIGURES[f.key]}: {part}", unit, "", *trend])
    return header, rows


def dashboard_csv(d: Dashboard) -> bytes:
    header, rows = dashboard_rows(d)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows([["" if v is None else str(v) for v in row] for row in rows])
    # A BOM so that Excel opens the Chinese names as UTF-8.
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def dashboard_xlsx(d: Dashboard) -> bytes:
    header, rows = dashboard_rows(d)
    units = [f.unit for e in d.elements for f in e.figures for _ in (0, *f.series)]
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = _("flywheel")
    ws.append(header)
    for row, unit in zip(rows, units, strict=True):
        ws.append(row)
        # The places the page shows: 50.0 (%), 24.0 (h), 380.00.
        for cell in ws[ws.max_row][FIRST_VALUE - 1 :]:
            cell.number_format = FORMATS[unit]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def scorecard_rows(
    rows: list[Scorecard], by: str, names: dict[str, str]
) -> tuple[list[str], list[list]]:
    """One row per supplier, manufacturer or department, the columns of the page."""
    header = [
        {"department": _("department"), "manufacturer": _("manufacturer / printer")}.get(
            by, _("supplier")
        ),
        _("pulls"),
        _("problems"),
        _("units held"),
        _("GMV suppressed"),
        _("time to fix (mean, h)"),
        _("back after a fix"),
    ]
    if by == "department":
        header.append(_("resolved in time (%)"))
    out = []
    for r in rows:
        row: list = [
            names.get(r.key, r.key),
            r.pulls,
            r.problems,
            r.units_held,
            r.gmv_suppressed,
            r.fix_hours,
            r.repeats,
        ]
        if by == "department":
            row.append(display.shown(r.sla_met, "share"))
        out.append(row)
    return header, out


def scorecards_csv(rows: list[Scorecard], by: str, names: dict[str, str]) -> bytes:
    header, body = scorecard_rows(rows, by, names)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows([["" if v is None else str(v) for v in row] for row in body])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def scorecards_xlsx(rows: list[Scorecard], by: str, names: dict[str, str]) -> bytes:
    header, body = scorecard_rows(rows, by, names)
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = by
    ws.append(header)
    for row in body:
        ws.append(row)
        ws[ws.max_row][4].number_format = "#,##0.00"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
