"""The NinjaAPI calaim serves: every error in the one documented shape (`ErrorOut`), including those the framework
and Django answer by themselves (unparsable JSON, authentication, a body too large, a method or path that does not
exist)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError

from calaim.api.errors import STATUS_TYPES, ApiError, error_body

NOT_AUTHENTICATED = (
    "Authenticate with `Authorization: Bearer <token>`, or sign in to calaim in this browser with your password and "
    "authenticator code."
)
CSRF_FAILED = "CSRF check failed: a browser session's writes send the csrftoken cookie's value as X-CSRFToken."
MAX_BODY = "The request body is too large."


class CalaimApi(NinjaAPI):
    def set_default_exception_handlers(self) -> None:
        super().set_default_exception_handlers()
        self.exception_handler(HttpError)(self._http_error)
        self.exception_handler(Http404)(self._not_found)
        self.exception_handler(SuspiciousOperation)(self._suspicious)

    def error(self, request: HttpRequest, status: int, message: str, code: str | None = None) -> HttpResponse:
        body = error_body(message, None, code or STATUS_TYPES.get(status, "error"))
        response = self.create_response(request, body, status=status)
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="calaim"'
        return response

    def _http_error(self, request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = exc.message
        if type(exc) is AuthenticationError:
            message = NOT_AUTHENTICATED
        elif exc.status_code == 403 and message == "CSRF check Failed":
            message = CSRF_FAILED
        return self.error(request, exc.status_code, message, exc.code if isinstance(exc, ApiError) else None)

    def _not_found(self, request: HttpRequest, exc: Http404) -> HttpResponse:
        return self.error(request, 404, "Not found.")

    def _suspicious(self, request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        if isinstance(exc, RequestDataTooBig):
            return self.error(request, 413, MAX_BODY)
        return self.error(request, 400, "The request could not be read.", "bad_request")

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = [
            URLPattern(url.pattern, self._json_not_allowed(url.callback), url.default_args, url.name)
            if isinstance(url, URLPattern)
            else url
            for url in super()._get_urls()
        ]
        # Anything else under the API's prefix is a 404 in the same shape, not the HTML page.
        urls.append(re_path(r"^.*$", csrf_exempt(self._no_such_path), name="no-such-path"))
        return urls

    def _json_not_allowed(self, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if isinstance(response, HttpResponseNotAllowed):
                allowed = response["Allow"]
                response = self.error(request, 405, f"Method {request.method} is not allowed here; use {allowed}.")
                response["Allow"] = allowed
            return response

        return wrapper

    def _no_such_path(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.error(request, 404, "No such API path; see /api/docs.")
