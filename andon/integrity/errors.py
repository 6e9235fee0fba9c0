from django.utils.translation import gettext_lazy as _

from andon.core.errors import InvalidInput, NotFound


class SignalNotFound(NotFound):
    code = "signal-not-found"
    title = _("No such signal")


class BadDecision(InvalidInput):
    code = "bad-signal-decision"
    title = _("The decision cannot be recorded")
