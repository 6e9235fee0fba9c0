from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
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


class EntryKind(models.TextChoices):
    CREDIT = "credit", _("credit")
    # A verdict corrected from valid to invalid takes the pull's bonus back: a correction of
    # an earlier credit, never a penalty (an invalid pull costs the agent nothing).
    REVERSAL = "reversal", _("correction")


class BonusCredit(models.Model):
    """One line of the bonus ledger, never changed once written: the bonus of a valid pull
    credited to the agent who opened the andon, or the reversal of that credit when a
    reviewer corrects the verdict to invalid (and a credit again if it is corrected back).

    Per andon and agent the lines alternate credit, reversal, credit... numbered by `sequence`
    from 1; the unique constraint on (andon, agent, sequence) makes "credited once per valid
    verdict" a fact of the database, not of the code path, and a reversal always points to the
    credit it cancels. A pull's balance is therefore its bonus or zero, never below."""

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
    kind = models.CharField(
        _("entry"), max_length=8, choices=EntryKind.choices, default=EntryKind.CREDIT
    )
    sequence = models.PositiveSmallIntegerField(_("line of the pull"), default=1)
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
        verbose_name=_("reverses the credit"),
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    credited_at = models.DateTimeField(_("credited at"), db_index=True)
    note = models.CharField(_("why"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("bonus ledger line")
        verbose_name_plural = _("bonus ledger")
        ordering = ["-credited_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["andon", "agent", "sequence"], name="bonus_line_per_andon_agent"
            ),
            # Credits are odd lines and add; reversals are even lines, take away and say which
            # credit they cancel. Together with the unique sequence: never two standing
            # credits for one pull, never a reversal of nothing.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        Exact(Mod("sequence", 2), 1),
                        kind=EntryKind.CREDIT,
                        reverses__isnull=True,
                        amount__gte=0,
                    )
                    | models.Q(
                        Exact(Mod("sequence", 2), 0),
                        kind=EntryKind.REVERSAL,
                        reverses__isnull=False,
                        amount__lte=0,
                    )
                ),
                name="bonus_line_kind_sign_and_order",
            ),
        ]
        indexes = [models.Index(fields=["agent", "credited_at"], name="bonus_agent_month")]

    @property
    def is_reversal(self) -> bool:
        return self.kind == EntryKind.REVERSAL

    def __str__(self) -> str:
        return f"{self.agent} ANDON-{self.andon_id} {self.amount} {self.currency}"
