"""The service desk's vocabulary with its labels, apart from the models so that the interfaces
(console, API) show and compare it without importing the models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("phone")
    CHAT = "chat", _("chat")
    EMAIL = "email", _("email")
    APP = "app", _("app")
