"""Refusals of writes to held goods (holds.rules: held goods are frozen). Both are 409: the
write conflicts with an open andon's hold, and succeeds once the hold is released."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from andon.core.errors import Conflict


class StockOnHold(Conflict):
    code = "stock-on-hold"
    title = _("The stock is on hold")

    @classmethod
    def of(cls, *, sku: str, warehouse: str, batch: str, field: str) -> StockOnHold:
        return cls(
            gettext(
                "Stock of %(sku)s in %(warehouse)s, batch %(batch)s, is on hold by an open "
                "andon; its quantity changes when the hold is released or disposed of."
            )
            % {"sku": sku, "warehouse": warehouse, "batch": batch},
            field=field,
        )


class LineOnHold(Conflict):
    code = "line-on-hold"
    title = _("The order line is on hold")

    @classmethod
    def of(cls, *, order: str, line_no: int, field: str) -> LineOnHold:
        return cls(
            gettext(
                "Line %(line)s of order %(order)s is on hold by an andon; its status, "
                "quantity, product and batch change when the hold is released."
            )
            % {"line": line_no, "order": order},
            field=field,
        )
