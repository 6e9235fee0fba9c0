"""Rows that every domain appends to: audit entries, outbox events (and how far each consumer
has read them), idempotency records."""

import hashlib
import secrets
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("audit entries are append-only")

    def delete(self) -> NoReturn:
        raise TypeError("audit entries are append-only")


class AuditEntry(models.Model):
    """Who did what, when, to which subject; never changed once written."""

    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=64)
    subject_type = models.CharField(_("subject type"), max_length=32)
    subject_id = models.CharField(_("subject id"), max_length=64)
    # The andon a step belongs to, so that an andon's timeline is one indexed read.
    andon_id = models.BigIntegerField(_("andon"), null=True, blank=True, db_index=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("audit entries are append-only")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.subject_id}"


class OutboxEvent(models.Model):
    """A business event written in the transaction of the change it describes.

    `product_sequence` orders the events of one product so that a storefront applies
    suppress/relist in the right order even when deliveries arrive out of order.
    """

    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    event_type = models.CharField(_("event type"), max_length=64, db_index=True)
    product_sku = models.CharField(_("product SKU"), max_length=64, blank=True, db_index=True)
    product_sequence = models.PositiveBigIntegerField(_("product sequence"), null=True, blank=True)
    payload = models.JSONField(_("payload"), default=dict)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product_sku", "product_sequence"],
                condition=models.Q(product_sequence__isnull=False),
                name="outbox_unique_product_sequence",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.pk}"


class OutboxPlace(models.Model):
    """How far one consumer of the outbox (the relay, integrity, detection) has read it: it
    has handled every event with id <= `read_id`. One row per consumer, moved only from where
    it was read (services.outbox_place_move), so two workers never both move it."""

    consumer = models.CharField(_("consumer"), max_length=32, primary_key=True)
    read_id = models.BigIntegerField(_("read up to event"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("outbox place")
        verbose_name_plural = _("outbox places")

    def __str__(self) -> str:
        return f"{self.consumer} @ {self.read_id}"


class IdempotencyRecord(models.Model):
    """The stored answer to a POST carrying an Idempotency-Key, replayed on a retry."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.BinaryField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key")
        ]


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token; only its hash is stored, the raw value is shown once at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    @staticmethod
    def new_raw() -> str:
        return "andon_" + secrets.token_urlsafe(32)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
