from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PullsConfig(AppConfig):
    name = "andon.pulls"
    label = "pulls"
    verbose_name = _("The cord (andons)")
