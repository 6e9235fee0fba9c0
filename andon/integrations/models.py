"""Webhook endpoints, one delivery row per (endpoint, outbox event) and the log of attempts (the
relay's place in the outbox is core's OutboxPlace "relay")."""

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


class Vendor(models.TextChoices):
    ZENDESK = "zendesk", "Zendesk"
    FRESHDESK = "freshdesk", "Freshdesk"
    ZAMMAD = "zammad", "Zammad"


class InboundConnection(models.Model):
    """A hosted helpdesk that POSTs ticket events to /api/v1/inbound/{vendor}/{slug}.

    `secret` is the vendor's signing secret (Zendesk shows it on the webhook; Zammad's is the
    HMAC token typed into the webhook) or, for Freshdesk, which signs nothing, the shared token
    it sends in `X-Andon-Token` or as the basic-auth password. The field names say where a
    ticket keeps the order number, the line and the reason (a Zendesk field id, a Freshdesk
    `cf_...` name, a Zammad attribute name); `reason_map` turns the helpdesk's values into
    Andon reason codes."""

    vendor = models.CharField(_("helpdesk"), max_length=16, choices=Vendor.choices)
    slug = models.SlugField(_("name in the URL"), max_length=50, unique=True)
    secret = models.CharField(_("secret"), max_length=200)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("records contacts as"),
    )
    order_field = models.CharField(_("order number field"), max_length=100)
    line_field = models.CharField(_("order line field"), max_length=100, blank=True)
    reason_field = models.CharField(_("reason field"), max_length=100, blank=True)
    reason_map = models.JSONField(_("reason values"), default=dict, blank=True)
    default_reason = models.CharField(_("default reason code"), max_length=50, blank=True)
    channel = models.CharField(_("channel"), max_length=16, default="email")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("helpdesk connection")
        verbose_name_plural = _("helpdesk connections")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.vendor}/{self.slug}"


class InboundOutcome(models.TextChoices):
    RECORDED = "recorded", _("contact recorded")
    UNCHANGED = "unchanged", _("ticket already recorded")
    IGNORED = "ignored", _("names no order")
    REJECTED = "rejected", _("rejected")


class InboundEvent(models.Model):
    """One verified event of a connection, by the vendor's event id: a replay of an event
    already applied answers from here and writes nothing. A rejected event is judged afresh
    when it comes again (the order may have been imported since)."""

    connection = models.ForeignKey(
        InboundConnection,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("connection"),
    )
    event_id = models.CharField(_("event id"), max_length=200)
    event_type = models.CharField(_("event type"), max_length=100, blank=True)
    ticket_id = models.CharField(_("ticket"), max_length=64)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=InboundOutcome.choices)
    contact = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("contact"),
    )
    field = models.CharField(_("field"), max_length=100, blank=True)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("helpdesk event")
        verbose_name_plural = _("helpdesk events")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "event_id"], name="inbound_event_unique")
        ]

    def __str__(self) -> str:
        return f"{self.connection_id}:{self.event_id} ({self.outcome})"
