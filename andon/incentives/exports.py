"""A monthly statement as CSV or XLSX, for payroll. Columns are stable (payroll imports them);
headers follow the active language."""

from __future__ import annotations

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from .selectors import Statement


def _rows(statement: Statement) -> tuple[list[str], list[list]]:
    header = [
        _("agent"),
        _("month"),
        _("andon"),
        _("product"),
        _("reason"),
        _("pulled at"),
        _("credited at"),
        _("amount"),
        _("currency"),
    ]
    rows = [
        [
            statement.agent,
            statement.period,
            f"ANDON-{c.andon_id}",
            c.andon.product.sku,
            c.andon.reason.code,
            timezone.localtime(c.andon.opened_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(c.credited_at).strftime("%Y-%m-%d %H:%M"),
            c.amount,
            c.currency,
        ]
        for c in statement.lines
    ]
    rows.append(
        [
            statement.agent,
            statement.period,
            _("total"),
            "",
            "",
            "",
            "",
            statement.total,
            statement.currency,
        ]
    )
    return header, rows


def statement_csv(statement: Statement) -> bytes:
    header, rows = _rows(statement)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows([[str(v) for v in row] for row in rows])
    # A BOM so that Excel opens the Chinese names as UTF-8.
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def statement_xlsx(statement: Statement) -> bytes:
    header, rows = _rows(statement)
    wb = Workbook()
    ws = wb.worksheets[0]  # the one sheet of a new workbook
    ws.title = statement.period
    ws.append(header)
    for row in rows:
        ws.append(row)
    for cell in ws["H"][1:]:
        cell.number_format = "#,##0.00"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
