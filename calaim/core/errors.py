"""Domain errors carry their HTTP status, so the API layer maps them without knowing each case."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the request; `field` names the input at fault when there is one."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class ValidationFailed(DomainError):
    status_code = 422
    code = "validation_error"


class NotFound(DomainError):
    """Also raised for objects outside the caller's scope, so their existence does not leak."""

    status_code = 404
    code = "not_found"

    def __init__(self, message: str = "Not found.", **kwargs: str | None) -> None:
        super().__init__(message, **kwargs)


class Forbidden(DomainError):
    """The caller may see the object but their role may not perform this action."""

    status_code = 403
    code = "forbidden"


class Conflict(DomainError):
    """The object is not in a state that allows this action."""

    status_code = 409
    code = "conflict"


class ProblemsFound(ValidationFailed):
    """Several inputs are refused at once, each on its own field, so a person fixes them all in one round; the
    first problem is the error's own message and field, for callers that show one."""

    def __init__(self, problems: list[DomainError]) -> None:
        assert problems, "ProblemsFound needs at least one problem"
        super().__init__(problems[0].message, field=problems[0].field)
        self.problems = problems
