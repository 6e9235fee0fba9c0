from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FigureTarget(models.Model):
    """A target an admin sets for one figure of the dashboard (the bad-andon rate's target is
    the review policy's, not set here)."""

    key = models.SlugField(_("figure"), max_length=50, unique=True)
    value = models.DecimalField(
        _("target"),
        max_digits=14,
        decimal_places=4,
        help_text=_("Shares as fractions (0.9 means 90%), hours, money or counts as shown."),
    )

    class Meta:
        verbose_name = _("flywheel target")
        verbose_name_plural = _("flywheel targets")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key}: {self.value}"


class SilentCordAlarm(models.Model):
    """A team whose pulls fell well below its own baseline while its contacts held, for one
    period; written once (with its outbox event) when the check first finds it."""

    team = models.ForeignKey(
        "people.Team", on_delete=models.CASCADE, related_name="+", verbose_name=_("team")
    )
    period = models.CharField(_("period"), max_length=8)
    period_start = models.DateField(_("period start"))
    pulls = models.PositiveIntegerField(_("pulls"))
    contacts = models.PositiveIntegerField(_("contacts"))
    expected = models.DecimalField(_("pulls expected"), max_digits=10, decimal_places=2)
    baseline_pulls = models.PositiveIntegerField(_("baseline pulls"))
    baseline_contacts = models.PositiveIntegerField(_("baseline contacts"))
    p_value = models.FloatField(_("p-value"))
    raised_at = models.DateTimeField(_("raised at"))

    class Meta:
        verbose_name = _("silent-cord alarm")
        verbose_name_plural = _("silent-cord alarms")
        ordering = ["-period_start", "team_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "period", "period_start"], name="alarm_one_per_team_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.period} {self.period_start}"


class InboxRead(models.Model):
    """When a person last read the news of one andon in their inbox: news after it is unread."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    andon = models.ForeignKey(
        "pulls.Andon", on_delete=models.CASCADE, related_name="+", verbose_name=_("andon")
    )
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("inbox read mark")
        verbose_name_plural = _("inbox read marks")
        constraints = [models.UniqueConstraint(fields=["user", "andon"], name="inbox_read_unique")]
