from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .rules import address_key, normalise_city_display


class Customer(models.Model):
    # Unique by a constraint, not `unique=True`: that would add a pattern-ops twin index on
    # PostgreSQL, one more write per imported customer for searches no query makes.
    external_id = models.CharField(_("external id"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # What integrity signals match on (shared address or device, accounts registered just
    # before they complain). All optional: a storefront that does not send them loses only
    # those signals.
    registered_at = models.DateTimeField(_("registered at the storefront"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    # Normalised city|street (orders.rules.address_key), written with the address.
    address_key = models.CharField(
        _("address (normalised)"), max_length=255, blank=True, editable=False
    )
    device_id = models.CharField(_("device id"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["external_id"]
        # Integrity looks customers up by a shared phone, address or device, never by an
        # empty one, and most storefronts send only some of them: partial indexes skip the
        # empty values, so an import pays only for the attributes it carries (and no
        # pattern-ops twin per column, which no query here uses).
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="customer_external_id_unique")
        ]
        indexes = [
            models.Index(fields=[name], condition=~models.Q(**{name: ""}), name=f"customer_{short}")
            for name, short in (
                ("phone", "phone"),
                ("address_key", "address"),
                ("device_id", "device"),
            )
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.city = normalise_city_display(self.city)
        self.address_key = address_key(self.address, self.city)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"


class Order(models.Model):
    # Unique by a constraint (see Customer.external_id).
    external_id = models.CharField(_("order number"), max_length=64)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("customer")
    )
    # Indexed: the flywheel counts orders per day of placing (its summaries' recount of a day).
    placed_at = models.DateTimeField(_("placed at"))
    channel = models.CharField(_("channel"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at"]
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="order_external_id_unique")
        ]
        indexes = [
            # A period's orders (the member figures, the flywheel) by time; the customer and
            # the id are carried so that "was the customer a member then" and "its lines'
            # amount" need no visit to the table.
            models.Index(fields=["placed_at"], include=["customer", "id"], name="order_placed_at")
        ]

    def __str__(self) -> str:
        return self.external_id


class FulfilmentStatus(models.TextChoices):
    PLACED = "placed", _("placed")
    PACKED = "packed", _("packed")
    SHIPPED = "shipped", _("shipped")
    DELIVERED = "delivered", _("delivered")
    RETURNED = "returned", _("returned")


class OrderLine(models.Model):
    # No index of its own: (order, line_no) and the amount index both lead with the order.
    order = models.ForeignKey(
        Order,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("order"),
        db_index=False,
    )
    line_no = models.PositiveIntegerField(_("line"))
    # No index of its own: (product, fulfilment_status) below serves every read by product,
    # and one index less is one write less per line a pull holds.
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        related_name="order_lines",
        verbose_name=_("product"),
        db_index=False,
    )
    batch = models.ForeignKey(
        "catalog.Batch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_lines",
        verbose_name=_("batch"),
        db_index=False,
    )
    warehouse = models.ForeignKey(
        "catalog.Warehouse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_lines",
        verbose_name=_("warehouse"),
        db_index=False,
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2, default=0)
    fulfilment_status = models.CharField(
        _("fulfilment status"),
        max_length=16,
        choices=FulfilmentStatus.choices,
        default=FulfilmentStatus.PLACED,
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order_id", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="line_unique_order_line_no")
        ]
        indexes = [
            # The cord holds "packed lines of a product" in one statement: this index serves it.
            models.Index(fields=["product", "fulfilment_status"]),
            # An order's amount (GMV of a period's orders) from the index alone.
            models.Index(
                fields=["order"], include=["quantity", "unit_price"], name="orderline_amount"
            ),
            # Read by batch or warehouse only to refuse deleting one that lines name: a line
            # without one (most storefronts send no batch) costs no index entry.
            models.Index(
                fields=["batch"], condition=models.Q(batch__isnull=False), name="orderline_batch"
            ),
            models.Index(
                fields=["warehouse"],
                condition=models.Q(warehouse__isnull=False),
                name="orderline_warehouse",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_no}"
