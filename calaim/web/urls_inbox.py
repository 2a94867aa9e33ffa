"""Routes of the inbox pages (filled in by the inbox work)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


def _todo(request: HttpRequest) -> HttpResponse:
    raise Http404


urlpatterns = [path("inbox/", _todo, name="inbox")]
