"""Request middleware of calaim's own: the PHI read log (calaim.core.phi)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from calaim.core.phi import (
    ReadCollector,
    ReadContext,
    client_address,
    collecting,
    collecting_end,
    new_request_id,
    phi_reads_record,
    stream_collecting,
)

# A page shown again with its form's errors still shows the member; an API error (JSON), a refusal (401, 403, 404)
# or a server error shows none, whatever the request loaded before it was refused.
RESHOWN_STATUSES = frozenset({400, 409, 422})


class PhiReadLogMiddleware:
    """Record which members' data each signed-in person's request read: one row per (request, member), written
    when the response is ready, or when a streamed response (an export) ends. Place it after the authentication
    and OTP middleware; API token users are known by the time the view has run, which is when it looks."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        collector = ReadCollector()
        token = collecting(collector)
        try:
            response = self.get_response(request)
        finally:
            collecting_end(token)
        if response.streaming and not getattr(response, "is_async", False):
            content = response.streaming_content  # type: ignore[attr-defined]
            response.streaming_content = stream_collecting(  # type: ignore[attr-defined]
                content, collector, lambda: _record(request, response, collector)
            )
        else:
            _record(request, response, collector)
        return response


def disclosed(response: HttpResponseBase) -> bool:
    """Whether the answer showed what the request read (see RESHOWN_STATUSES)."""
    status = response.status_code
    if status < 400:
        return True
    return status in RESHOWN_STATUSES and str(response.get("Content-Type", "")).startswith("text/html")


def _record(request: HttpRequest, response: HttpResponseBase, collector: ReadCollector) -> None:
    if not collector.members or not disclosed(response):
        return
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    phi_reads_record(_context(request, response, user), collector)


def _context(request: HttpRequest, response: HttpResponseBase, user: Any) -> ReadContext:
    username = user.get_username()
    full_name = user.get_full_name()
    match = request.resolver_match
    return ReadContext(
        user_id=user.pk,
        user_label=f"{full_name} ({username})" if full_name else username,
        user_role=getattr(user, "role", "") or "",
        request_id=str(getattr(request, "request_id", "") or new_request_id()),
        view=match.view_name if match is not None else "",
        method=request.method or "",
        path=request.path,
        query=unquote_plus(request.META.get("QUERY_STRING", "")),
        ip=client_address(request.META, int(getattr(settings, "CALAIM_TRUSTED_PROXIES", 0))),
        status=response.status_code,
    )
