"""The cord's vocabulary with its labels, apart from the models so that the interfaces
(console, API) show and compare it without importing the models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AndonState(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")
