from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import AndonState


class Andon(models.Model):
    """One stop of the line: a product, a reason, until every work order is confirmed."""

    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        related_name="andons",
        verbose_name=_("product"),
    )
    reason = models.ForeignKey(
        "contacts.ReasonCode",
        on_delete=models.PROTECT,
        related_name="andons",
        verbose_name=_("reason"),
    )
    state = models.CharField(
        _("state"),
        max_length=8,
        choices=AndonState.choices,
        default=AndonState.OPEN,
        db_index=True,
    )
    note = models.CharField(_("note"), max_length=200)
    opened_at = models.DateTimeField(_("pulled at"), db_index=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="andons_pulled",
        verbose_name=_("pulled by"),
    )
    # The puller's team and team lead at the moment of the pull: the bad-andon rate is
    # attributed to them even if the agent changes team later.
    team = models.ForeignKey(
        "people.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="andons",
        verbose_name=_("team"),
    )
    team_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="andons_of_team",
        verbose_name=_("team lead"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The earliest evidence contact's time (the first report), stamped when evidence is linked:
    # time to contain (first report -> pull) reads it without joining the evidence.
    first_report_at = models.DateTimeField(_("first reported at"), null=True, blank=True)
    # The detected problem the pull was for, when the agent pulled from a problem: a later pull
    # for the same problem joins this andon, whatever reason it was coded with.
    problem = models.ForeignKey(
        "detection.Problem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="andons",
        verbose_name=_("problem"),
    )
    evidence = models.ManyToManyField(
        "contacts.Contact",
        through="AndonEvidence",
        related_name="andons",
        verbose_name=_("evidence"),
    )

    class Meta:
        verbose_name = _("andon")
        verbose_name_plural = _("andons")
        ordering = ["-opened_at"]
        indexes = [
            # The review queue: a lead's pulls (at the time, or of their teams now) oldest first.
            models.Index(fields=["team_lead", "opened_at", "id"], name="andon_lead_opened"),
            models.Index(fields=["team", "opened_at", "id"], name="andon_team_opened"),
            # The flywheel's "repeat" test (a product fixed before this pull): an index-only
            # probe per pull instead of reading every andon of the product.
            models.Index(fields=["product", "closed_at"], name="andon_product_closed"),
        ]
        constraints = [
            # Join-or-open, backed by the database: one open andon per product and reason.
            models.UniqueConstraint(
                fields=["product", "reason"],
                condition=models.Q(state="open"),
                name="andon_one_open_per_product_reason",
            )
        ]

    def __str__(self) -> str:
        return f"ANDON-{self.pk}"


class AndonEvidence(models.Model):
    andon = models.ForeignKey(Andon, on_delete=models.CASCADE, related_name="evidence_links")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [models.UniqueConstraint(fields=["andon", "contact"], name="evidence_unique")]


class CordPull(models.Model):
    """Each press of the cord: the one that opened the andon (credited to the agent, paid once
    a review finds it valid) and those that joined it."""

    andon = models.ForeignKey(Andon, on_delete=models.CASCADE, related_name="pulls")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cord_pulls",
        verbose_name=_("agent"),
    )
    note = models.CharField(_("note"), max_length=200)
    pulled_at = models.DateTimeField(_("pulled at"))
    joined = models.BooleanField(_("joined an open andon"), default=False)
    credited = models.BooleanField(_("credited"), default=False)

    class Meta:
        verbose_name = _("cord pull")
        verbose_name_plural = _("cord pulls")
        ordering = ["pulled_at", "id"]
