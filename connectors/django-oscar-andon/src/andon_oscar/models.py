from django.db import models


class AndonListing(models.Model):
    """Andon's word on one SKU: suppressed or not, as of its `sequence` (Andon's per-product
    order). An event with a sequence not above this one is old news and changes nothing."""

    sku = models.CharField(max_length=128, unique=True)
    suppressed = models.BooleanField(default=False)
    # A staged relist (listing.limited): at most `max_units` units sold from `limited_at`
    # until `limit_until`; afterwards the product sells freely. Null: no cap.
    max_units = models.PositiveIntegerField(null=True, blank=True)
    limited_at = models.DateTimeField(null=True, blank=True)
    limit_until = models.DateTimeField(null=True, blank=True)
    sequence = models.BigIntegerField(default=0)
    last_webhook_id = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Andon listing"

    def __str__(self) -> str:
        state = (
            "suppressed"
            if self.suppressed
            else "limited"
            if self.max_units is not None
            else "active"
        )
        return f"{self.sku} ({state} @{self.sequence})"


class AndonCursor(models.Model):
    """Where `andon_catch_up` stopped reading Andon's listing feed."""

    name = models.CharField(max_length=32, primary_key=True)
    after = models.CharField(max_length=32, default="0")


class AndonSentLine(models.Model):
    """The Andon status last sent for one Oscar order line. Oscar keeps no change time for a
    line's status: an incremental `andon_push` sends the orders whose lines' mapped status
    differs from this snapshot (or that have none), whatever changed the status."""

    line_id = models.BigIntegerField(unique=True)
    order_id = models.BigIntegerField(db_index=True)
    status = models.CharField(max_length=32)


class AndonHeldLine(models.Model):
    """An order line Andon holds (its product's andon): the warehouse must not pick it.
    `andon_oscar.picking.lines_to_pick()` and `manage.py andon_pick_list` skip these lines."""

    line_id = models.BigIntegerField(unique=True)
    order_number = models.CharField(max_length=128)
    sku = models.CharField(max_length=128, db_index=True)
    held_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.order_number} line {self.line_id} ({self.sku}) held by Andon"
