"""The public pages (filled in by the public pages work)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

app_name = "public"


def _todo(request: HttpRequest) -> HttpResponse:
    raise Http404


urlpatterns = [path("", _todo, name="index")]
