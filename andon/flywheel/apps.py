from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlywheelConfig(AppConfig):
    verbose_name = _("Flywheel")
    name = "andon.flywheel"
    label = "flywheel"
    default_auto_field = "django.db.models.BigAutoField"
