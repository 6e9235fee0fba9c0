from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    verbose_name = _("Pull reviews")
    name = "andon.reviews"
    label = "reviews"
    default_auto_field = "django.db.models.BigAutoField"
