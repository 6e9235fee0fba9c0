from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class BonusPolicy(models.Model):
    """The bonus per valid pull. One row, edited in the admin. There is no penalty field: an
    invalid pull costs the agent nothing (SPEC: "Managers answer for wrong pulls")."""

    amount_per_valid_pull = models.DecimalField(
        _("bonus per valid pull"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("50.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")

    class Meta:
        verbose_name = _("bonus policy")
        verbose_name_plural = _("bonus policy")

    def __str__(self) -> str:
        return f"{self.amount_per_valid_pull} {self.currency}"


class BonusCredit(models.Model):
    """One line of the ledger: a valid pull paid to the agent who opened the andon. The unique
    constraint makes "credited once" a fact of the database, not of the code path."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="bonus_credits",
        verbose_name=_("agent"),
    )
    andon = models.ForeignKey(
        "pulls.Andon",
        on_delete=models.PROTECT,
        related_name="bonus_credits",
        verbose_name=_("andon"),
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    credited_at = models.DateTimeField(_("credited at"), db_index=True)

    class Meta:
        verbose_name = _("bonus credit")
        verbose_name_plural = _("bonus ledger")
        ordering = ["-credited_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["andon", "agent"], name="bonus_once_per_andon_agent")
        ]
        indexes = [models.Index(fields=["agent", "credited_at"], name="bonus_agent_month")]

    def __str__(self) -> str:
        return f"{self.agent} ANDON-{self.andon_id} {self.amount} {self.currency}"
