"""Routes of the appeals pages (filled in by the appeals work)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


def _todo(request: HttpRequest) -> HttpResponse:
    raise Http404


urlpatterns = [path("appeals/", _todo, name="appeals")]
