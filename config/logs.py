"""Logs without PHI: a request id on every line, paths without query strings, exceptions without their messages.

Member data reaches a log in three ways, each closed here: a URL's query string (a search carries a member's name),
a request body (never logged by Django or gunicorn unless asked), and an exception's message (a database error
quotes the row it refused). What remains is enough to find a failure: the request id, the path, the status, the
exception's type and the lines of code it went through.
"""

from __future__ import annotations

import logging
import re
import traceback
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from types import TracebackType
from typing import Any

from django.http import HttpRequest, HttpResponseBase

REQUEST_ID_HEADER = "X-Request-ID"
# An id a proxy in front already gave the request is kept, so its log and ours join; anything else is replaced.
_INBOUND_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_request_id: ContextVar[str] = ContextVar("calaim_request_id", default="-")

# gunicorn's access log: the path without the query string (%(U)s, never %(r)s), no referrer (a page's address
# with its query string), the request id the app answered with.
GUNICORN_ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'


class RequestIdMiddleware:
    """Give each request an id, answer it in X-Request-ID, and put it on every log line written meanwhile."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        inbound = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = inbound if _INBOUND_ID.match(inbound) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


def current_request_id() -> str:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Add `request_id` to every record: the request's being served in this thread, or '-' outside one."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or _request_id.get()
        return True


class QueryStringFilter(logging.Filter):
    """Cut the query string out of runserver's request lines (`django.server`), as gunicorn's format does."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
            record.args = (_without_query(record.args[0]), *record.args[1:])
        return True


def _without_query(request_line: str) -> str:
    return re.sub(r"\?\S*", "", request_line)


class PhiSafeFormatter(logging.Formatter):
    """A formatter whose tracebacks name each exception's type but not its message (unless `messages` is on)."""

    def __init__(self, *args: Any, messages: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.messages = messages

    def formatException(
        self, ei: tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
    ) -> str:
        if self.messages or ei[1] is None:
            return super().formatException(ei)
        lines = traceback.TracebackException.from_exception(ei[1])
        return "".join(_without_messages(lines)).rstrip("\n")


def _without_messages(exc: traceback.TracebackException) -> list[str]:
    lines: list[str] = []
    if exc.__cause__ is not None:
        lines += _without_messages(exc.__cause__)
        lines.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif exc.__context__ is not None and not exc.__suppress_context__:
        lines += _without_messages(exc.__context__)
        lines.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    lines.append("Traceback (most recent call last):\n")
    lines += exc.stack.format()
    name = f"{exc.exc_type.__module__}.{exc.exc_type.__qualname__}" if exc.exc_type else "exception"
    lines.append(f"{name} (message withheld: it may quote member data)\n")
    return lines


def logging_config(*, level: str, exception_messages: bool) -> dict[str, Any]:
    """Django's LOGGING: one console handler (journald or the container collects it) with the filters above."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": RequestIdFilter},
            "no_query_string": {"()": QueryStringFilter},
        },
        "formatters": {
            "calaim": {
                "()": PhiSafeFormatter,
                "format": "%(asctime)s %(levelname)s %(name)s rid=%(request_id)s %(message)s",
                "messages": exception_messages,
            }
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "calaim"},
            "server": {
                "class": "logging.StreamHandler",
                "filters": ["request_id", "no_query_string"],
                "formatter": "calaim",
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"handlers": ["console"], "level": level, "propagate": False},
            "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
            # Axes announces itself at every start; its lockouts are warnings and still show.
            "axes": {"level": "WARNING"},
            # WeasyPrint narrates each step of every letter it renders at INFO.
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
        },
    }
