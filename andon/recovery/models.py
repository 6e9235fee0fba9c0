from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from andon.core.i18n import in_reader_language

from .choices import KindChoices


class RecoveryAction(models.Model):
    """One entry of the catalogue an agent picks from. `default_cost` empty means "the price of
    the product on the contact" (a replacement or a refund)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=KindChoices.choices)
    label_zh = models.CharField(_("label (Chinese)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100)
    default_cost = models.DecimalField(
        _("default cost (CNY)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Empty: the price of the product the customer contacted us about."),
    )
    note_zh = models.CharField(_("default note (Chinese)"), max_length=200, blank=True)
    note_en = models.CharField(_("default note (English)"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("recovery action")
        verbose_name_plural = _("recovery catalogue")
        ordering = ["position", "code"]

    @property
    def label(self) -> str:
        return in_reader_language(self.label_zh, self.label_en)

    @property
    def default_note(self) -> str:
        return in_reader_language(self.note_zh, self.note_en)

    def __str__(self) -> str:
        return self.label


class GuideLimit(models.Model):
    """Above this cost an action is unusual for the role: the agent adds one line of reason.
    A guide, never a gate: nobody is asked to approve anything."""

    role = models.CharField(
        _("role"),
        max_length=16,
        choices=[("agent", _("agent")), ("team_lead", _("team lead"))],
    )
    action = models.ForeignKey(
        RecoveryAction,
        on_delete=models.CASCADE,
        related_name="guide_limits",
        verbose_name=_("recovery action"),
    )
    max_cost = models.DecimalField(
        _("usual up to (CNY)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("guide limit")
        verbose_name_plural = _("guide limits")
        ordering = ["action__position", "role"]
        constraints = [
            models.UniqueConstraint(fields=["role", "action"], name="guide_limit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.action.code} / {self.role}: {self.max_cost}"


class RecoveryGiven(models.Model):
    """One recovery action given to a customer on a contact, with its cost. The agent's team is
    kept as it was at that moment, for the Monday review's recovery cost per team."""

    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.PROTECT,
        related_name="recovery",
        verbose_name=_("contact"),
    )
    customer = models.ForeignKey(
        "orders.Customer",
        on_delete=models.PROTECT,
        related_name="recovery",
        verbose_name=_("customer"),
    )
    action = models.ForeignKey(
        RecoveryAction,
        on_delete=models.PROTECT,
        related_name="given",
        verbose_name=_("recovery action"),
    )
    cost = models.DecimalField(_("cost (CNY)"), max_digits=10, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    reason_above_guide = models.CharField(_("reason (above the guide)"), max_length=200, blank=True)
    above_guide = models.BooleanField(_("above the guide"), default=False)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="recovery_given",
        verbose_name=_("agent"),
    )
    team = models.ForeignKey(
        "people.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("team"),
    )
    given_at = models.DateTimeField(_("given at"), db_index=True)

    class Meta:
        verbose_name = _("recovery given")
        verbose_name_plural = _("recovery given")
        ordering = ["-given_at", "-id"]
        indexes = [models.Index(fields=["customer", "given_at"], name="recovery_customer")]

    def __str__(self) -> str:
        return f"{self.action.code} {self.cost} #{self.contact_id}"


class ProactiveJob(models.Model):
    """One bulk proactive recovery on an andon: the action, who it is for ("all" eligible past
    buyers or a list of external ids), the reason line, and its progress. Run by a task in
    batches; each batch commits its customers with their events, so a killed worker loses at
    most a batch that never committed, and running it again reaches only who is still pending.
    `andon_id` is an id, not a key: the cord's andons live in a layer above recovery."""

    andon_id = models.PositiveBigIntegerField(_("andon"), db_index=True)
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    since = models.DateTimeField(_("delivered since"))
    until = models.DateTimeField(_("delivered until"))
    action = models.ForeignKey(
        RecoveryAction, on_delete=models.PROTECT, related_name="+", verbose_name=_("action")
    )
    cost = models.DecimalField(_("cost per customer (CNY)"), max_digits=10, decimal_places=2)
    customers = models.JSONField(_("customers"), null=True, blank=True)  # None: all eligible
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    above_guide = models.BooleanField(_("above the guide"), default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("given by"),
    )
    created_at = models.DateTimeField(_("created at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    total = models.PositiveIntegerField(_("customers to reach"), default=0)
    reached = models.PositiveIntegerField(_("customers reached"), default=0)

    class Meta:
        verbose_name = _("proactive recovery job")
        verbose_name_plural = _("proactive recovery jobs")
        ordering = ["-created_at", "-id"]


class ProactiveRecovery(models.Model):
    """A recovery given to a past buyer of an andon's batches who has not contacted us: the
    proactive kind of recovery record (`RecoveryGiven` is the one given on a contact). At most
    one per customer and andon, whatever runs twice."""

    andon_id = models.PositiveBigIntegerField(_("andon"))
    customer = models.ForeignKey(
        "orders.Customer",
        on_delete=models.PROTECT,
        related_name="proactive_recovery",
        verbose_name=_("customer"),
    )
    job = models.ForeignKey(
        ProactiveJob, on_delete=models.PROTECT, related_name="given", verbose_name=_("job")
    )
    action = models.ForeignKey(
        RecoveryAction, on_delete=models.PROTECT, related_name="+", verbose_name=_("action")
    )
    cost = models.DecimalField(_("cost (CNY)"), max_digits=10, decimal_places=2)
    given_at = models.DateTimeField(_("given at"))

    class Meta:
        verbose_name = _("proactive recovery")
        verbose_name_plural = _("proactive recovery")
        ordering = ["-given_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["andon_id", "customer"], name="proactive_recovery_once_per_andon"
            )
        ]
