from django.db import models


class AndonListing(models.Model):
    """Andon's word on one SKU: suppressed or not, as of its `sequence` (Andon's per-product
    order). An event with a sequence not above this one is old news and changes nothing."""

    sku = models.CharField(max_length=128, unique=True)
    suppressed = models.BooleanField(default=False)
    sequence = models.BigIntegerField(default=0)
    last_webhook_id = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Andon listing"

    def __str__(self) -> str:
        return f"{self.sku} ({'suppressed' if self.suppressed else 'active'} @{self.sequence})"


class AndonCursor(models.Model):
    """Where `andon_catch_up` stopped reading Andon's listing feed."""

    name = models.CharField(max_length=32, primary_key=True)
    after = models.CharField(max_length=32, default="0")
