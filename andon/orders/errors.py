from django.utils.translation import gettext_lazy as _

from andon.core.errors import Conflict, NotFound, UnknownReference


class OrderNotFound(NotFound):
    code = "order-not-found"


class OrderLineNotFound(NotFound):
    code = "order-line-not-found"


class UnknownCustomer(UnknownReference):
    code = "unknown-customer"


class UnknownOrderLine(UnknownReference):
    code = "unknown-order-line"


class LineOnHold(Conflict):
    code = "line-on-hold"
    title = _("The order line is on hold")
