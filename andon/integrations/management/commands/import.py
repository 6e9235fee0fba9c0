"""`andon import KIND FILE`: CSV or XLSX (first row: column names), with a progress bar."""

from __future__ import annotations

import csv
from pathlib import Path

import tablib
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from andon.integrations.import_rows import ROWS
from andon.integrations.imports import rows_import


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


class Command(BaseCommand):
    help = (
        "Import warehouses, products, batches, stock, customers, orders (one row per "
        "line) or contacts from CSV/XLSX, idempotent by external ids; bad rows go to a "
        "rejects file."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(ROWS))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--rejects",
            type=Path,
            default=None,
            help="Where to write rejected rows (default: FILE.rejects.csv).",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, kind, file, rejects, no_progress, **opts):
        if not file.exists():
            raise CommandError(f"{file}: no such file")
        rows = read_rows(file)
        # The raw stream (OutputWrapper would end each of tqdm's "\r" redraws with a newline).
        # django-stubs types OutputWrapper's unknown attributes as callables, `_out` included.
        bar = tqdm(  # type: ignore[call-overload]
            total=len(rows), unit="row", desc=f"{kind}", disable=no_progress, file=self.stderr._out
        )
        # Line numbers as a spreadsheet shows them: the header is line 1.
        result = rows_import(kind=kind, rows=rows, first_row=2, progress=bar.update)
        bar.close()
        self.stdout.write(
            f"{kind}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {len(result.rejected)} rejected"
        )
        if result.rejected:
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
