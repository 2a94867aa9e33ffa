"""Schemas shared across API modules."""

from ninja import Schema


class ErrorItem(Schema):
    type: str
    loc: list[str | int]
    msg: str


class ErrorOut(Schema):
    detail: list[ErrorItem]


ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
