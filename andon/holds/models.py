from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import HoldKind, HoldState


class Hold(models.Model):
    """Stock or a packed order line kept from selling/shipping by one andon."""

    # No index of its own: (andon, state) below serves every read by andon.
    andon = models.ForeignKey(
        "pulls.Andon",
        on_delete=models.PROTECT,
        related_name="holds",
        verbose_name=_("andon"),
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=16, choices=HoldKind.choices)
    stock_level = models.ForeignKey(
        "catalog.StockLevel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="holds",
        verbose_name=_("stock"),
        db_index=False,
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="holds",
        verbose_name=_("order line"),
        db_index=False,
    )
    quantity = models.PositiveIntegerField(_("units"))
    state = models.CharField(
        _("state"),
        max_length=24,
        choices=HoldState.choices,
        default=HoldState.HELD,
    )
    placed_at = models.DateTimeField(_("placed at"))
    finalized_at = models.DateTimeField(_("finalized at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering = ["id"]
        # Finalizing reads "the held holds of these andons"; nothing reads by state alone.
        # A hold targets stock or a line, never both: each target's index leaves out the rows
        # of the other kind, so that a line hold writes two index entries besides its key.
        indexes = [
            models.Index(fields=["andon", "state"]),
            models.Index(
                fields=["stock_level"],
                name="hold_stock_level",
                condition=models.Q(stock_level__isnull=False),
            ),
            models.Index(
                fields=["order_line"],
                name="hold_order_line",
                condition=models.Q(order_line__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="stock", stock_level__isnull=False, order_line__isnull=True)
                    | models.Q(
                        kind="order_line", stock_level__isnull=True, order_line__isnull=False
                    )
                ),
                name="hold_kind_matches_target",
            )
        ]

    def __str__(self) -> str:
        return f"hold #{self.pk} ({self.kind}, {self.state})"


class LineScope(models.Model):
    """ "Every packed order line of this product", held by one andon in one row.

    The pull writes this row instead of one hold per packed line, so that its cost does not
    grow with the lines it holds (issue 11). While the scope is pending (`materialized_at` is
    null) a line is held when it is packed and its product has a pending scope: lines packed
    later are held with no write at all. Per-line holds are written only when someone needs a
    line's own hold (a disposition form or the API listing the holds, the confirm queue, the
    relist's finalize), never by a read, nor for the flywheel's tallies (they count a pending
    scope's lines as they stand): the service
    `holds.scopes.holds_materialize` then inserts them in one statement and marks the scope
    materialized, after which the andon's line holds are its per-line rows, as before scopes.
    An andon without a scope (held before scopes existed, or reopened by a watch) holds by
    per-line rows only."""

    andon = models.ForeignKey(
        "pulls.Andon",
        on_delete=models.PROTECT,
        related_name="line_scopes",
        verbose_name=_("andon"),
    )
    # No index of its own: the partial index below serves "is this product held by scope".
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        related_name="line_scopes",
        verbose_name=_("product"),
        db_index=False,
    )
    placed_at = models.DateTimeField(_("placed at"))
    # Packed lines of the product held by the scope when last counted (at the pull, then at
    # each catch-up): what tells a catch-up how many lines arrived while it was stopped.
    lines = models.PositiveIntegerField(_("order lines"))
    materialized_at = models.DateTimeField(_("materialized at"), null=True, blank=True)

    class Meta:
        verbose_name = _("held scope of packed lines")
        verbose_name_plural = _("held scopes of packed lines")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["product"],
                name="linescope_pending_product",
                condition=models.Q(materialized_at__isnull=True),
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["andon"],
                name="linescope_one_pending_per_andon",
                condition=models.Q(materialized_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"line scope #{self.pk} (andon {self.andon_id})"
