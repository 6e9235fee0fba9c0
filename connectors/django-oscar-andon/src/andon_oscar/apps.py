from django.apps import AppConfig


class AndonOscarConfig(AppConfig):
    name = "andon_oscar"
    label = "andon_oscar"
    verbose_name = "Andon"
    default_auto_field = "django.db.models.BigAutoField"
