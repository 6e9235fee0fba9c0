from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecoveryConfig(AppConfig):
    verbose_name = _("Service recovery")
    name = "andon.recovery"
    label = "recovery"
    default_auto_field = "django.db.models.BigAutoField"
