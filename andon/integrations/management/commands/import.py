"""`andon import KIND FILE`: CSV or XLSX (first row: column names), with a progress bar."""

from __future__ import annotations

import csv
import datetime as dt
import enum
import re
import textwrap
import typing
from decimal import Decimal
from pathlib import Path

import tablib
from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter

from andon.integrations.import_rows import ROWS, Row
from andon.integrations.imports import rows_import

# Exit status when some rows were rejected (the others were imported): distinct from 1 (the
# file could not be read) and from argparse's 2 (the command line is wrong).
REJECTED_EXIT = 3


def read_rows(path: Path) -> list[dict]:
    """Rows as dicts; tablib reads CSV (UTF-8, BOM tolerated) and XLSX (first sheet)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        data = tablib.Dataset().load(path.read_bytes(), format="xlsx")
    elif suffix == ".csv":
        data = tablib.Dataset().load(path.read_text(encoding="utf-8-sig"), format="csv")
    else:
        raise CommandError(f"{path.name}: only .csv and .xlsx files are read")
    return [dict(row) for row in data.dict]


def _kind_of(annotation: typing.Any) -> str:
    """What a column holds, in a word an operator reads: a date, a choice among values…"""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if args:
        annotation = args[0]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "|".join(str(m.value) for m in annotation)
    return {
        dt.datetime: "ISO date and time: 2026-11-20T10:00:00+08:00",
        dt.date: "date: 2026-11-20",
        Decimal: "number",
        int: "whole number",
    }.get(annotation, "")


def columns_help(rows: dict[str, type[Row]] = ROWS) -> str:
    """Each kind's columns, read from the row shapes the import validates with."""
    lines = [
        "columns of each kind (the first row of the file names them; * = required; other "
        "columns are ignored):"
    ]
    width = max(len(k) for k in rows) + 2
    for kind, shape in rows.items():
        cols = []
        for name, field in shape.model_fields.items():
            what = _kind_of(field.annotation)
            cols.append(f"{name}{'*' if field.is_required() else ''}{f' ({what})' if what else ''}")
        lines.append(f"  {kind.ljust(width)}{', '.join(cols)}")
    lines += [
        "",
        "exit status: 0 every row imported; 3 some rows rejected (the others are imported, the "
        "rejected ones are in the rejects file with their line and reason); 1 the file could "
        "not be read.",
    ]
    return "\n".join(lines)


class _Help(DjangoHelpFormatter):
    """Django's option order; text wrapped to the terminal, line by line, so that the column
    table keeps one kind per line (a long line continues under its columns)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out = []
        for line in text.splitlines():
            body = line.lstrip()
            lead = len(line) - len(body)
            table_row = re.match(r"\s+\S+\s{2,}", line) if lead else None
            hang = len(table_row.group(0)) if table_row else lead
            out.append(
                textwrap.fill(
                    body,
                    width,
                    initial_indent=indent + " " * lead,
                    subsequent_indent=indent + " " * hang,
                    break_on_hyphens=False,
                )
                if body
                else ""
            )
        return "\n".join(out)


class Command(BaseCommand):
    # No system checks before an import: they load every URL, the API's schema and the admin
    # (most of the command's start-up); `andon serve` and `migrate` run them.
    requires_system_checks: list[str] = []
    help = (
        "Import catalog, orders or contacts from a CSV or XLSX file. Idempotent by external "
        "ids: the same file twice changes nothing. Orders come one row per order line; "
        "contacts count as evidence but never pull the cord. Bad rows go to a rejects file."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs):
        kwargs.setdefault("formatter_class", _Help)
        kwargs.setdefault("epilog", columns_help())
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument(
            "kind", choices=list(ROWS), help="What the file holds (its columns are listed below)."
        )
        parser.add_argument("file", type=Path, help="The .csv (UTF-8) or .xlsx file.")
        parser.add_argument(
            "--rejects",
            type=Path,
            default=None,
            help="Where to write rejected rows (default: FILE.rejects.csv).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar (logs, scripts)."
        )

    def handle(self, *args, kind, file, rejects, no_progress, **opts):
        if not file.exists():
            raise CommandError(f"{file}: no such file")
        rows = read_rows(file)
        if no_progress:
            # Line numbers as a spreadsheet shows them: the header is line 1.
            result = rows_import(actor=None, kind=kind, rows=rows, first_row=2)
        else:
            # Imported only to draw a bar: scripts and logs (--no-progress) start without it.
            from tqdm import tqdm

            # The raw stream (OutputWrapper would end each of tqdm's "\r" redraws with a
            # newline). django-stubs types OutputWrapper's unknown attributes as callables,
            # `_out` included.
            bar = tqdm(  # type: ignore[call-overload]
                total=len(rows), unit="row", desc=f"{kind}", file=self.stderr._out
            )
            result = rows_import(actor=None, kind=kind, rows=rows, first_row=2, progress=bar.update)
            bar.close()
        self.stdout.write(
            f"{kind}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {len(result.rejected)} rejected"
        )
        if not result.rejected:
            return
        rejects = rejects or file.with_name(file.name + ".rejects.csv")
        columns = list(rows[0].keys()) if rows else []
        with rejects.open("w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            # Prefixed so as not to collide with a kind's own columns (a contact's
            # `reason`); the importer ignores them, so a corrected file imports as is.
            out.writerow(["rejected_line", "rejected_field", "rejected_reason", *columns])
            for r in result.rejected:
                original = rows[r.row - 2]
                out.writerow([r.row, r.field, r.reason, *(original.get(c) for c in columns)])
        self.stdout.write(f"rejected rows with their reasons: {rejects}")
        # A script or a cron job must notice: some rows did not make it.
        raise CommandError(
            f"{len(result.rejected)} of {len(rows)} rows rejected (see {rejects}); "
            "the others were imported.",
            returncode=REJECTED_EXIT,
        )
