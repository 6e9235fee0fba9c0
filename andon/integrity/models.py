from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .rules import Kind, Status, SubjectType


class KindChoices(models.TextChoices):
    CUSTOMER_FRAUD = Kind.CUSTOMER_FRAUD.value, _("customer fraud")
    ACCOUNT_CLUSTER = Kind.ACCOUNT_CLUSTER.value, _("account cluster")
    STAFF_MISUSE = Kind.STAFF_MISUSE.value, _("staff misuse")
    SYSTEM_ERROR = Kind.SYSTEM_ERROR.value, _("system error")


class SubjectTypeChoices(models.TextChoices):
    CUSTOMER = SubjectType.CUSTOMER.value, _("customer")
    AGENT = SubjectType.AGENT.value, _("agent")
    ACCOUNT_CLUSTER = SubjectType.ACCOUNT_CLUSTER.value, _("account cluster")
    ANDON = SubjectType.ANDON.value, _("andon")
    PRODUCT = SubjectType.PRODUCT.value, _("product")


class StatusChoices(models.TextChoices):
    OPEN = Status.OPEN.value, pgettext_lazy("integrity signal", "open")
    DISMISSED = Status.DISMISSED.value, _("dismissed")
    CONFIRMED = Status.CONFIRMED.value, _("confirmed")


class Signal(models.Model):
    """One explained risk signal about one subject, kept up to date by every scan. It never
    gates anything: it is read by team leads and admins, who dismiss or confirm it."""

    subject_type = models.CharField(
        _("subject type"), max_length=16, choices=SubjectTypeChoices.choices
    )
    # Customer external id, agent username, andon id, or a cluster's sorted external ids.
    subject = models.CharField(_("subject"), max_length=500)
    kind = models.CharField(_("kind"), max_length=20, choices=KindChoices.choices)
    score = models.FloatField(_("score"))
    # [{"code", "params"}]: rendered in the reader's language (integrity.sentences.sentence).
    reasons = models.JSONField(_("reasons"), default=list)
    evidence = models.JSONField(_("evidence"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=StatusChoices.choices, default=StatusChoices.OPEN
    )
    # False once a scan no longer finds it (kept, with its decision, for the record).
    current = models.BooleanField(_("seen by the last scan"), default=True)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.CharField(_("why"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("integrity signal")
        verbose_name_plural = _("integrity signals")
        ordering = ["-score", "-last_seen", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject"], name="signal_unique_subject"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=1), name="signal_score_0_1"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "kind", "score"], name="signal_triage"),
            models.Index(fields=["subject_type", "subject"], name="signal_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_type}:{self.subject}"


class SignalDecision(models.Model):
    """The lifecycle, append-only: who moved a signal to which status, when and why."""

    signal = models.ForeignKey(
        Signal, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("signal")
    )
    status_from = models.CharField(_("from"), max_length=10, choices=StatusChoices.choices)
    status_to = models.CharField(_("to"), max_length=10, choices=StatusChoices.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.CharField(_("why"), max_length=500)
    decided_at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("signal decision")
        verbose_name_plural = _("signal decisions")
        ordering = ["decided_at", "id"]


class ScanRun(models.Model):
    """One scan: when, how long, how many signals. The console shows the last one's time."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    found = models.PositiveIntegerField(_("signals found"), default=0)
    trigger = models.CharField(_("trigger"), max_length=16, default="command")

    class Meta:
        verbose_name = _("integrity scan")
        verbose_name_plural = _("integrity scans")
        ordering = ["-started_at"]


class CustomerTally(models.Model):
    """What the fraud signal knows of one customer who received something: delivered orders,
    orders claimed about, products claimed about, recovery value received. Kept per customer
    so that a write refreshes the rows of the customers it touched and the population's
    yardsticks are read from this table (one row per customer), not from every contact."""

    customer = models.OneToOneField(
        "orders.Customer", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    orders = models.PositiveIntegerField()
    claims = models.PositiveIntegerField()
    products = models.PositiveIntegerField()
    value = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("customer tally")
        verbose_name_plural = _("customer tallies")


class AgentTally(models.Model):
    """What the staff-misuse and system-error signals know of one agent's contacts and pulls:
    counts, repeated contacts, and where the agent's bursts of each end (a few times, where
    the densest one is looked for; None: no burst). Kept
    per agent for the same reason as CustomerTally: a write refreshes its agents only."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    contacts = models.PositiveIntegerField(default=0)
    repeats = models.PositiveIntegerField(default=0)
    pulls = models.PositiveIntegerField(default=0)
    contact_burst = models.JSONField(null=True, blank=True)
    pull_burst = models.JSONField(null=True, blank=True)
    # {team id at the time ("None": none): [reviewed, invalid]}
    reviews = models.JSONField(default=dict)
    andons = models.PositiveIntegerField(default=0)  # andons opened that have evidence
    links = models.PositiveIntegerField(default=0)  # their evidence links
    # [[customer external id, andons, links], ...]: the customers behind them most often
    top = models.JSONField(default=list)

    class Meta:
        verbose_name = _("agent tally")
        verbose_name_plural = _("agent tallies")


class PendingRef(models.Model):
    """Something a committed write touched, waiting for the next incremental scan: a contact
    or an andon by id, a customer by external id, a product by SKU, an agent by user name.
    The scan takes every waiting row at once (a burst of writes is one scan) and deletes
    the rows it took."""

    ref = models.CharField(max_length=16)
    key = models.CharField(max_length=200)

    class Meta:
        verbose_name = _("pending integrity change")
        verbose_name_plural = _("pending integrity changes")
