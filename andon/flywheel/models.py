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


class FlywheelTally(models.Model):
    """One figure's summed count (`n`) and sum (`total`) for a day, or for a week or month
    where the figure is a distinct count (customers, agents, pullers, products are not
    additive across days). One row per team and, apart, one for the whole organisation
    (`org`, team empty): the organisation's page then reads a few thousand rows however many
    teams there are. Kept current by flywheel/summaries.py (the tick and `rebuild`); equal to
    a recount of the base rows (tests/flywheel/test_summaries.py)."""

    grain = models.CharField(_("grain"), max_length=5)  # day | week | month
    start = models.DateField(_("start"))
    org = models.BooleanField(_("organisation"), default=False)
    team = models.ForeignKey(
        "people.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    key = models.CharField(_("figure"), max_length=24)
    dim = models.BigIntegerField(_("dimension"), null=True, blank=True)  # department of a WO
    n = models.BigIntegerField(_("count"), default=0)
    total = models.DecimalField(_("total"), max_digits=28, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("flywheel daily tally")
        verbose_name_plural = _("flywheel daily tallies")
        indexes = [
            models.Index(fields=["org", "grain", "start"], name="fw_tally_org"),
            models.Index(fields=["team", "grain", "start"], name="fw_tally_team"),
            models.Index(fields=["grain", "start"], name="fw_tally_start"),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.start} {self.team_id or '-'} {self.key}={self.n}"


class FlywheelSummaryState(models.Model):
    """Where the summaries' tick stopped: the highest id of each source table seen by the last
    run and by the one before (`ids`: seen, before, before_at), when it ran, and the team of
    each agent then (a team change moves the agent's past contacts, pulls and bonuses to the
    new team's rows). One row."""

    ids = models.JSONField(_("last ids seen"), default=dict)
    teams = models.JSONField(_("agents' teams"), default=dict)
    ran_at = models.DateTimeField(_("ran at"))

    class Meta:
        verbose_name = _("flywheel summary state")
        verbose_name_plural = _("flywheel summary states")

    def __str__(self) -> str:
        return f"summaries at {self.ran_at}"
