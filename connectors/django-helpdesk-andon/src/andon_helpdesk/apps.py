from django.apps import AppConfig


class AndonHelpdeskConfig(AppConfig):
    name = "andon_helpdesk"
    verbose_name = "Andon"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401
