from django.utils.translation import gettext_lazy as _

from andon.core.errors import Conflict, InvalidInput, NotFound


class WorkOrderNotFound(NotFound):
    code = "work-order-not-found"


class DispositionRequired(InvalidInput):
    """Goods are held and the resolution does not say what happens to them (there is no
    default: releasing by omission would sell what nobody looked at)."""

    code = "disposition-required"
    title = _("Say what happens to the held goods")


class UnknownHolds(InvalidInput):
    code = "unknown-holds"
    title = _("These holds are not the andon's")


class HoldsWithoutDisposition(Conflict):
    """Goods held by an andon about to close that no department decided on."""

    code = "holds-without-disposition"
    title = _("Held goods without a disposition")
