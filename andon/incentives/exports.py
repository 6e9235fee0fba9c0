"""A monthly statement as CSV or XLSX, for payroll. Columns are stable (payroll imports them;
new ones are added at the end); headers follow the active language. A correction (the reversal
of an earlier credit whose verdict was corrected to invalid) is its own line with the credit it
takes back, never a penalty."""

from __future__ import annotations

import csv
import datetime as dt
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
        _("entry"),
        _("corrects the credit of"),
        _("why"),
    ]
    rows = [
        [
            statement.agent,
            statement.period,
            f"ANDON-{c.andon_id}",
            c.andon.product.sku,
            c.andon.reason.code,
            _local(c.andon.opened_at),
            _local(c.credited_at),
            c.amount,
            c.currency,
            c.get_kind_display(),
            _local(c.reverses.credited_at) if c.reverses else "",
            c.note,
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
            "",
            "",
            "",
        ]
    )
    return header, rows


def _local(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


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
