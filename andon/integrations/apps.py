from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "andon.integrations"
    label = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from andon.core.services import outbox_hook_register

        # Imported here, not at the top: the task module needs the app registry ready.
        from .tasks import outbox_written

        outbox_hook_register(outbox_written)
