"""Routes of the letter templates and translation reviews (filled in by the letters work)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


def _todo(request: HttpRequest) -> HttpResponse:
    raise Http404


urlpatterns = [path("letters/templates/", _todo, name="letter_templates")]
