"""Webhook endpoints, one delivery row per (endpoint, outbox event), the log of attempts, and
the relay's cursor over the outbox."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEndpoint(models.Model):
    """Where events are POSTed. `event_types` empty means every event; an entry ending in
    `.*` matches a family (`listing.*`). During a rotation the previous secret still signs
    (a second signature in the header) until `previous_secret_expires_at`."""

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("event types"), default=list, blank=True)
    secret = models.CharField(_("secret"), max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True, editable=False
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    DEAD = "dead", _("dead-lettered")


class Delivery(models.Model):
    """One event for one endpoint, with its retry state (the task framework keeps none).

    `next_attempt_at` doubles as the claim lease: a worker that claims a delivery pushes it
    forward by more than the HTTP timeout, so a worker killed mid-POST only delays it."""

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    event = models.ForeignKey(
        "core.OutboxEvent", on_delete=models.PROTECT, related_name="+", verbose_name=_("event")
    )
    state = models.CharField(
        _("state"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"))
    # Start of the current retry cycle (creation, or the last replay): dead-lettering counts
    # the retry period from here.
    retrying_since = models.DateTimeField(_("retrying since"))
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True, editable=False)
    last_status_code = models.PositiveSmallIntegerField(_("last status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="delivery_unique_event")
        ]
        indexes = [
            # The claim query: due pending deliveries, oldest first.
            models.Index(fields=["state", "next_attempt_at"], name="delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.endpoint_id} ({self.state})"


class DeliveryAttempt(models.Model):
    """The delivery log: one row per POST, kept also after the delivery succeeds."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("delivery")
    )
    attempted_at = models.DateTimeField(_("attempted at"))
    status_code = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["id"]


class RelayCursor(models.Model):
    """Every outbox event with id <= `relayed_id` has its deliveries; one row, name 'outbox'."""

    name = models.CharField(max_length=32, primary_key=True)
    relayed_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("relay cursor")
        verbose_name_plural = _("relay cursors")
