"""The work orders' vocabulary with its labels, apart from the models so that the interfaces
(console, API) show and compare it without importing the models."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .rules import State

STATE_CHOICES = [
    # Not the andon's "open" (进行中): a work order nobody has started is 待处理.
    (State.OPEN.value, pgettext_lazy("work order state", "open")),
    (State.IN_PROGRESS.value, _("in progress")),
    (State.RESOLVED.value, _("resolved")),
    (State.REOPENED.value, _("reopened")),
    (State.CLOSED.value, _("closed")),
]
DISPOSITION_CHOICES = [
    ("release", _("release")),
    ("fix", _("fix")),
    ("return-to-vendor", _("return to vendor")),
    ("scrap", _("scrap")),
]
