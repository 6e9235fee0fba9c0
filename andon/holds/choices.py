"""The holds's vocabulary with its labels, apart from the models so that the interfaces
(console, API) show and compare it without importing the models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HoldKind(models.TextChoices):
    STOCK = "stock", _("stock")
    ORDER_LINE = "order_line", _("packed order line")


class HoldState(models.TextChoices):
    HELD = "held", _("held")
    RELEASED = "released", _("released")
    FIXED = "fixed", _("fixed")
    RETURNED_TO_VENDOR = "returned_to_vendor", _("returned to vendor")
    SCRAPPED = "scrapped", _("scrapped")
