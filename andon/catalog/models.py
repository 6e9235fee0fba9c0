from django.db import models
from django.utils.translation import gettext_lazy as _


class ListingStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    SUPPRESSED = "suppressed", _("suppressed (stop-sell)")
    # Sells again under a cap while a watch runs after a fix (a staged relist).
    LIMITED = "limited", _("limited (staged relist)")


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=300)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    monthly_gmv = models.DecimalField(
        _("monthly GMV"),
        max_digits=14,
        decimal_places=2,
        default=0,
        help_text=_("Gross merchandise value per month, as reported by the storefront."),
    )
    listing_status = models.CharField(
        _("listing status"),
        max_length=16,
        choices=ListingStatus.choices,
        default=ListingStatus.ACTIVE,
        db_index=True,
    )
    listing_changed_at = models.DateTimeField(_("listing changed at"), null=True, blank=True)
    # A limited listing: the cap in units, the end of the watch, and the andon whose fix is
    # watched (an id, not a key: the cord's andons live in a layer above the catalog).
    listing_max_units = models.PositiveIntegerField(_("units cap"), null=True, blank=True)
    listing_until = models.DateTimeField(_("watched until"), null=True, blank=True)
    listing_watch_andon_id = models.PositiveBigIntegerField(
        _("watched andon"), null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]
        indexes = [
            # The watch tick's read: limited listings whose watch has ended.
            models.Index(
                fields=["listing_until"],
                name="catalog_listing_watch_idx",
                condition=models.Q(listing_status="limited"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.sku})"


class Warehouse(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Batch(models.Model):
    """A lot of one product from one supplier and manufacturer (for a book: the printer)."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="batches", verbose_name=_("product")
    )
    code = models.CharField(_("batch code"), max_length=64)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    manufacturer = models.CharField(_("manufacturer / printer"), max_length=200, blank=True)
    received_at = models.DateField(_("received"), null=True, blank=True)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        constraints = [
            models.UniqueConstraint(fields=["product", "code"], name="batch_unique_product_code")
        ]
        # The pull's related products (pulls.blast): the batches sharing one of a product's
        # codes, manufacturers or suppliers, found by index, not by reading every batch of
        # the catalogue (100,000 products: 51 ms without, 8 ms with; bench/related_products.py).
        indexes = [
            models.Index(fields=["code"], name="batch_code"),
            models.Index(fields=["manufacturer"], name="batch_manufacturer"),
            models.Index(fields=["supplier"], name="batch_supplier"),
        ]

    def __str__(self) -> str:
        return self.code


class StockLevel(models.Model):
    """Units of one product's batch in one warehouse."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="stock", verbose_name=_("product")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="stock", verbose_name=_("warehouse")
    )
    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="stock", verbose_name=_("batch")
    )
    quantity = models.PositiveIntegerField(_("units on hand"), default=0)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse", "batch"], name="stock_unique_warehouse_batch"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product.sku} @ {self.warehouse.code}/{self.batch.code}: {self.quantity}"
