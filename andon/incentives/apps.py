from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    verbose_name = _("Bonuses")
    name = "andon.incentives"
    label = "incentives"
    default_auto_field = "django.db.models.BigAutoField"
