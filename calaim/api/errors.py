"""Errors as the API answers them: a list naming the field at fault, documented for every status an operation can
answer. Every error, the framework's (unparsable JSON, validation, authentication, a method not allowed, a body too
large) as well as the domain's, has this one shape."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from ninja.errors import HttpError


class ErrorItem(Schema):
    type: str
    loc: list[str | int]
    msg: str


class ErrorOut(Schema):
    detail: list[ErrorItem]


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    return dict.fromkeys(statuses, ErrorOut)


# 401 without credentials (or a session short of its second factor); 422 when a parameter does not validate.
LIST_ERRORS = errors(401, 422)
# Reading one object: also 404 outside the caller's scope and 403 when the role may not read it.
READ_ERRORS = errors(401, 403, 404, 422)
# Writing: also 400 for a body that is not JSON, 409 when the state does not allow it, 413 for a body too large.
ERRORS = errors(400, 401, 403, 404, 409, 413, 422)

# The error type for each status the framework answers by itself.
STATUS_TYPES = {
    400: "parse_error",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    429: "throttled",
}


class ApiError(HttpError):
    """An HTTP error with its own error type, e.g. a session short of its second factor."""

    def __init__(self, status_code: int, message: str, code: str) -> None:
        super().__init__(status_code, message)
        self.code = code


def error_body(message: str, field: str | None, code: str, where: str = "body") -> dict[str, Any]:
    """Errors look like the framework's validation errors: a list naming the field at fault."""
    loc = [where, field] if field else []
    return {"detail": [{"type": code, "loc": loc, "msg": message}]}
