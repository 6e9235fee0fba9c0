from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "andon.integrity"
    label = "integrity"
    verbose_name = _("Integrity")

    def ready(self) -> None:
        from andon.core.services import outbox_hook_register

        # Imported here: the task module needs the app registry ready.
        from .tasks import outbox_written

        outbox_hook_register(outbox_written)
