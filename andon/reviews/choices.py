"""The reviews' vocabulary with its labels, apart from the models so that the interfaces
(console, API) show and compare it without importing the models."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .rules import ActionKind, RootCause, Verdict


class VerdictChoices(models.TextChoices):
    VALID = Verdict.VALID.value, _("valid")
    INVALID = Verdict.INVALID.value, _("invalid")


class RootCauseChoices(models.TextChoices):
    PERSON = RootCause.PERSON.value, _("person")
    TRAINING = RootCause.TRAINING.value, _("training")
    PROCESS = RootCause.PROCESS.value, _("process")
    MONEY = RootCause.MONEY.value, _("money")
    SYSTEM = RootCause.SYSTEM.value, _("system")


class ActionKindChoices(models.TextChoices):
    TRAINING = ActionKind.TRAINING.value, _("training")
    PROCESS = ActionKind.PROCESS.value, _("process change")
    NOTE = ActionKind.NOTE.value, _("note")
