from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from andon.core.i18n import in_reader_language

from .choices import Channel


class ReasonCode(models.Model):
    """Why a customer contacted us. Carries the cord's policy for that reason: how many
    distinct customers within how many days make a pull eligible (SPEC: "Eligibility")."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    label_zh = models.CharField(_("label (Chinese)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100)
    threshold = models.PositiveSmallIntegerField(
        _("distinct customers to pull"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    window_days = models.PositiveSmallIntegerField(
        _("window (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    safety_critical = models.BooleanField(
        _("safety-critical"),
        default=False,
        help_text=_("Safety-critical reasons usually have a threshold of 1."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reason code")
        verbose_name_plural = _("reason codes")
        ordering = ["code"]

    @property
    def label(self) -> str:
        return in_reader_language(self.label_zh, self.label_en)

    def __str__(self) -> str:
        return self.label


class ReasonRoute(models.Model):
    """A pull for this reason opens a work order for this department, with this instruction."""

    reason = models.ForeignKey(
        ReasonCode, on_delete=models.CASCADE, related_name="routes", verbose_name=_("reason")
    )
    department = models.ForeignKey(
        "people.Department",
        on_delete=models.PROTECT,
        related_name="routes",
        verbose_name=_("department"),
    )
    instruction_zh = models.TextField(_("instruction (Chinese)"))
    instruction_en = models.TextField(_("instruction (English)"))
    sla_hours = models.PositiveSmallIntegerField(_("due within (hours)"), default=24)

    class Meta:
        verbose_name = _("routing")
        verbose_name_plural = _("routing")
        constraints = [
            models.UniqueConstraint(fields=["reason", "department"], name="route_unique")
        ]

    def __str__(self) -> str:
        return f"{self.reason.code} -> {self.department.code}"


class Contact(models.Model):
    created_at = models.DateTimeField(_("recorded at"), db_index=True)
    # The storefront's or service desk's own id, for contacts loaded by bulk import (which
    # is idempotent by it); empty for contacts recorded in Andon.
    external_id = models.CharField(
        _("external id"), max_length=64, null=True, blank=True, unique=True
    )
    customer = models.ForeignKey(
        "orders.Customer",
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name=_("customer"),
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name=_("order line"),
    )
    # Copied from the order line: the eligibility count is one indexed read by product.
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name=_("product"),
    )
    reason = models.ForeignKey(
        ReasonCode, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("reason")
    )
    text = models.TextField(_("what the customer said"), blank=True)
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.PHONE
    )
    handling_seconds = models.PositiveIntegerField(_("handling time (s)"), null=True, blank=True)
    # Stamped by every write of the row: an import that changes an old contact's text or
    # handling time says so here, which is how the flywheel's day summaries learn of it.
    changed_at = models.DateTimeField(_("changed at"), auto_now=True, null=True, db_index=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name=_("agent"),
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["product", "reason", "created_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.reason.code}"
