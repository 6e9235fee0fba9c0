"""The bad-andon rate table as CSV, for the managers' own spreadsheets. The rate column is the
percentage as the console shows it (`andon.core.rates`: rounded half up, with the places it
takes beside the target), so a spreadsheet never says 7.6 % where the console says 7.7 %;
the counts beside it are exact."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from andon.core.rates import rate_percent, target_percent

from .selectors import RateRow

STATUS_WORDS = {
    "green": gettext_lazy("on target"),
    "red": gettext_lazy("above target"),
    "none": gettext_lazy("no reviews"),
}


def rates_csv(rows: Sequence[RateRow], *, by: str, target: Decimal) -> bytes:
    key = {"team": _("team"), "all": _("whole organisation")}.get(by, _("team lead"))
    header = [
        _("period"),
        _("from"),
        key,
        _("reviewed"),
        _("invalid"),
        _("bad-andon rate (%)"),
        _("target (%)"),
        _("status"),
    ]
    shown_target = target_percent(target)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    for r in rows:
        shown = rate_percent(r.rate, against=target)
        writer.writerow(
            [
                r.period,
                r.period_start.isoformat(),
                r.key,
                r.reviewed,
                r.invalid,
                "" if shown is None else str(shown),
                str(shown_target),
                str(STATUS_WORDS.get(r.status, r.status)),
            ]
        )
    # A BOM so that Excel opens the Chinese names as UTF-8.
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
