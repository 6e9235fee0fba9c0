"""Service recovery's vocabulary with its labels, apart from the models so that the
interfaces (console, API) show and compare it without importing the models."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .rules import Kind


class KindChoices(models.TextChoices):
    REPLACEMENT = Kind.REPLACEMENT.value, _("replacement shipment")
    REFUND = Kind.REFUND.value, _("refund")
    COUPON = Kind.COUPON.value, _("coupon")
    MEMBERSHIP = Kind.MEMBERSHIP.value, _("membership enrolment or discount")
    RETURN_WAIVED = Kind.RETURN_WAIVED.value, _("return waived")
    PHOTO_WAIVED = Kind.PHOTO_WAIVED.value, _("photo not required")
