from andon.core.errors import Conflict, InvalidInput, NotFound


class ProblemNotFound(NotFound):
    code = "problem-not-found"


class ProblemNotOpen(Conflict):
    code = "problem-not-open"


class ProblemMismatch(InvalidInput):
    """Contacts or problems of different products, or contacts outside the problem."""

    code = "problem-mismatch"
