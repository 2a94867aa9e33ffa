"""Errors as the API answers them: a list naming the field at fault, documented for every status."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorItem(Schema):
    type: str
    loc: list[str | int]
    msg: str


class ErrorOut(Schema):
    detail: list[ErrorItem]


ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def error_body(message: str, field: str | None, code: str) -> dict[str, Any]:
    """Errors look like the framework's validation errors: a list naming the field at fault."""
    loc = ["body", field] if field else []
    return {"detail": [{"type": code, "loc": loc, "msg": message}]}
