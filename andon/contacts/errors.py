from andon.core.errors import InvalidInput, UnknownReference


class UnknownReason(UnknownReference):
    code = "unknown-reason"


class CustomerMismatch(InvalidInput):
    code = "customer-mismatch"
