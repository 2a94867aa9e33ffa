"""Routes of the notices pages (filled in by the notices work)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


def _todo(request: HttpRequest) -> HttpResponse:
    raise Http404


urlpatterns = [path("mailroom/", _todo, name="mailroom")]
