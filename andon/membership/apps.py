from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    verbose_name = _("Membership")
    name = "andon.membership"
    label = "membership"
    default_auto_field = "django.db.models.BigAutoField"
