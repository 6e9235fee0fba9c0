from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import ActionKindChoices, RootCauseChoices, VerdictChoices
from .rules import DEFAULT_TARGET


class ReviewPolicy(models.Model):
    """How many pulls are reviewed and the bad-andon rate's target. One row; the admin edits
    it. There is deliberately no field that makes a pull wait (SPEC: "No bureaucracy")."""

    sample_rate = models.DecimalField(
        _("share of pulls to review"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("1 reviews every pull; 0.2 reviews a stable fifth of them."),
    )
    target_rate = models.DecimalField(
        _("bad-andon rate target"),
        max_digits=5,
        decimal_places=4,
        default=DEFAULT_TARGET,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("0.02 means 2%."),
    )
    action_due_days = models.PositiveSmallIntegerField(
        _("corrective actions due within (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )

    class Meta:
        verbose_name = _("review policy")
        verbose_name_plural = _("review policy")

    def __str__(self) -> str:
        return str(_("review policy"))


class PullReview(models.Model):
    """The verdict on one andon. The team, team lead and pull time are copies of the andon's
    own pull-time snapshot: the KPI then reads one table with one index, and a later change
    of team lead cannot move a wrong pull onto someone else's rate."""

    andon = models.OneToOneField(
        "pulls.Andon", on_delete=models.PROTECT, related_name="review", verbose_name=_("andon")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    verdict = models.CharField(_("verdict"), max_length=8, choices=VerdictChoices.choices)
    root_cause = models.CharField(
        _("root cause"), max_length=10, choices=RootCauseChoices.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"))
    pulled_at = models.DateTimeField(_("pulled at"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
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
    team_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("team lead at the time of the pull"),
    )

    class Meta:
        verbose_name = _("pull review")
        verbose_name_plural = _("pull reviews")
        ordering = ["-reviewed_at"]
        indexes = [
            # The KPI: per team lead (or team) and period, counting verdicts.
            models.Index(fields=["team_lead", "pulled_at", "verdict"], name="review_kpi_lead"),
            models.Index(fields=["team", "pulled_at", "verdict"], name="review_kpi_team"),
            models.Index(fields=["pulled_at", "verdict"], name="review_kpi_all"),
        ]

    def __str__(self) -> str:
        return f"ANDON-{self.andon_id}: {self.verdict}"


class CorrectiveAction(models.Model):
    """What the manager does about an invalid pull, tracked until done."""

    review = models.ForeignKey(
        PullReview, on_delete=models.CASCADE, related_name="actions", verbose_name=_("review")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ActionKindChoices.choices)
    description = models.CharField(_("action"), max_length=500)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="corrective_actions",
        verbose_name=_("assigned to"),
    )
    department = models.ForeignKey(
        "people.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="corrective_actions",
        verbose_name=_("department"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner (team lead)"),
    )
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("created at"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, db_index=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("done by"),
    )
    # A verdict corrected to valid withdraws the actions it opened: nobody trains an agent for
    # a pull that was right.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["due_on", "id"]

    @property
    def is_open(self) -> bool:
        return self.done_at is None and self.withdrawn_at is None

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:40]}"


class VerdictCorrection(models.Model):
    """A verdict changed after the review, by its reviewer or an admin, and why. The review row
    holds the verdict now (the bad-andon rate reads it); these rows are its history."""

    review = models.ForeignKey(
        PullReview, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("review")
    )
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("corrected by"),
    )
    corrected_at = models.DateTimeField(_("corrected at"))
    old_verdict = models.CharField(
        _("verdict before"), max_length=8, choices=VerdictChoices.choices
    )
    new_verdict = models.CharField(_("verdict after"), max_length=8, choices=VerdictChoices.choices)
    old_root_cause = models.CharField(
        _("root cause before"), max_length=10, choices=RootCauseChoices.choices, blank=True
    )
    new_root_cause = models.CharField(
        _("root cause after"), max_length=10, choices=RootCauseChoices.choices, blank=True
    )
    reason = models.CharField(_("why"), max_length=500)

    class Meta:
        verbose_name = _("verdict correction")
        verbose_name_plural = _("verdict corrections")
        ordering = ["corrected_at", "id"]

    def __str__(self) -> str:
        return f"ANDON-{self.review.andon_id}: {self.old_verdict} -> {self.new_verdict}"


class DailyReviewTally(models.Model):
    """Reviewed and invalid pulls per day of the pull (service time zone), team lead and team
    at the time of the pull: the bad-andon rate's summary. Kept current in the writing
    transaction by summaries.refresh_days (the review, a verdict's correction, the history
    import) and rebuilt from scratch by `andon rebuild_summaries`; equal to a recount of
    PullReview at all times (tests/reviews/test_summaries.py)."""

    day = models.DateField(_("day of the pull"))
    team_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("team lead at the time of the pull"),
    )
    team = models.ForeignKey(
        "people.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("team"),
    )
    reviewed = models.PositiveIntegerField(_("reviewed"), default=0)
    invalid = models.PositiveIntegerField(_("invalid"), default=0)

    class Meta:
        verbose_name = _("daily review tally")
        verbose_name_plural = _("daily review tallies")
        indexes = [
            models.Index(fields=["day"], name="review_tally_day"),
            models.Index(fields=["team_lead", "day"], name="review_tally_lead"),
            models.Index(fields=["team", "day"], name="review_tally_team"),
        ]
