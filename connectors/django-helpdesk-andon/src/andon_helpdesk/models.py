from django.conf import settings
from django.db import models


class AndonTicket(models.Model):
    """What Andon knows of one ticket: the order line it names, the contact it became, the
    andon its product got and whether the ticket was told that the product sells again."""

    ticket = models.OneToOneField("helpdesk.Ticket", on_delete=models.CASCADE, related_name="andon")
    order = models.CharField(max_length=64, blank=True)
    line_no = models.PositiveIntegerField(null=True, blank=True)
    sku = models.CharField(max_length=64, blank=True)
    customer = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=50, blank=True)
    contact_id = models.BigIntegerField(null=True, blank=True)
    # Why the contact is not recorded yet ("" once recorded); andon_helpdesk_sync retries.
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    andon_id = models.BigIntegerField(null=True, blank=True)
    relisted = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Andon ticket"
        indexes = [models.Index(fields=["sku"])]

    def __str__(self) -> str:
        return f"ticket {self.ticket_id}: {self.order}/{self.line_no or self.sku}"


class AndonAgentToken(models.Model):
    """The Andon token of one helpdesk agent: the cord is pulled as that agent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="andon_token"
    )
    token = models.CharField(max_length=200)

    class Meta:
        verbose_name = "Andon agent token"

    def __str__(self) -> str:
        return f"Andon token of {self.user}"
