from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from andon.core.i18n import in_reader_language


class ProblemState(models.TextChoices):
    OPEN = "open", _("open")
    MERGED = "merged", _("merged")
    # Emptied by a rebuild but kept, because an andon cites it.
    DISSOLVED = "dissolved", _("dissolved")


class Problem(models.Model):
    """One defect of one product, as customers describe it. Its numbers (customers, reasons,
    first and last report) are read from its assignments, never stored twice."""

    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.CASCADE,
        related_name="problems",
        verbose_name=_("product"),
    )
    # A representative phrase in each language a customer used (the first report's first
    # clause), so that each reader reads the customers' own words when there are some.
    label_zh = models.CharField(_("label (Chinese)"), max_length=200, blank=True)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=ProblemState.choices, default=ProblemState.OPEN
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(_("opened at"))

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["product", "state"])]

    @property
    def label(self) -> str:
        return in_reader_language(self.label_zh or self.label_en, self.label_en or self.label_zh)

    def __str__(self) -> str:
        return f"P-{self.pk} {self.label}"


class Method(models.TextChoices):
    EMBEDDING = "embedding", _("sentence embedding")
    LEXICAL = "lexical", _("shared words and numbers")
    REASON = "reason", _("reason code")
    MANUAL = "manual", _("corrected by a person")


class Assignment(models.Model):
    """Which problem a contact reports, and why (the member it matched, the evidence)."""

    contact = models.OneToOneField(
        "contacts.Contact",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="assignment",
        verbose_name=_("contact"),
    )
    # Checked when written, not at commit, on PostgreSQL (migration 0004): a problem deleted
    # under an intake fails only the assignment, never the contact.
    problem = models.ForeignKey(
        Problem, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("problem")
    )
    # Copied from the contact: candidates, counts and rates are indexed reads of this table.
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    customer = models.ForeignKey("orders.Customer", on_delete=models.CASCADE, related_name="+")
    reason = models.ForeignKey("contacts.ReasonCode", on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("reported at"))
    vector = models.BinaryField(_("sentence vector"), blank=True, default=b"")
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    score = models.FloatField(_("probability of the same problem"), default=0.0)
    matched_contact = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("closest report"),
    )
    similarity = models.FloatField(_("similarity to the closest report"), default=0.0)
    # A person's correction (move, merge, split): kept by every later assignment and rebuild.
    pinned = models.BooleanField(_("corrected by a person"), default=False)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("corrected by"),
    )
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [
            models.Index(fields=["product", "reported_at"]),
            models.Index(fields=["problem", "reported_at"]),
        ]

    def __str__(self) -> str:
        return f"contact {self.contact_id} -> problem {self.problem_id}"


class AlertState(models.TextChoices):
    OPEN = "open", _("open")
    CLEARED = "cleared", _("cleared")


class ProblemAlert(models.Model):
    """A product whose complaint rate is significantly above the catalogue's; one open alert
    per product, refreshed by each scan and cleared when the rate falls back."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    problem = models.ForeignKey(
        Problem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
        verbose_name=_("largest problem"),
    )
    state = models.CharField(
        _("state"), max_length=8, choices=AlertState.choices, default=AlertState.OPEN
    )
    raised_at = models.DateTimeField(_("raised at"))
    checked_at = models.DateTimeField(_("checked at"))
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    complainers = models.PositiveIntegerField(_("complaining customers"))
    units = models.PositiveIntegerField(_("units delivered"))
    rate = models.FloatField(_("complaint rate"))
    baseline = models.FloatField(_("catalogue rate"))
    p_value = models.FloatField(_("p-value"))
    gmv_at_stake = models.DecimalField(_("GMV at stake"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("complaint-rate alert")
        verbose_name_plural = _("complaint-rate alerts")
        ordering = ["-gmv_at_stake", "-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["product"],
                condition=models.Q(state="open"),
                name="problem_alert_one_open_per_product",
            )
        ]

    def __str__(self) -> str:
        return f"alert {self.product_id} ({self.state})"
