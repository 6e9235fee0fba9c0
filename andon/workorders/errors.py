from andon.core.errors import NotFound


class WorkOrderNotFound(NotFound):
    code = "work-order-not-found"
