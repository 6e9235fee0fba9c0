from andon.core.errors import NotFound, UnknownReference


class OrderNotFound(NotFound):
    code = "order-not-found"


class OrderLineNotFound(NotFound):
    code = "order-line-not-found"


class UnknownCustomer(UnknownReference):
    code = "unknown-customer"


class UnknownOrderLine(UnknownReference):
    code = "unknown-order-line"
