from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from andon.core.i18n import in_reader_language


class BilingualName(models.Model):
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        return in_reader_language(self.name_zh, self.name_en)

    def __str__(self) -> str:
        return self.name


class Department(BilingualName):
    """A department that receives work orders (vendor management, warehouse & logistics...)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="departments", verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]


class Team(BilingualName):
    """A team of agents; its lead answers for the team's wrong pulls (bad-andon rate)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
        verbose_name=_("team lead"),
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["code"]


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("team"),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()
