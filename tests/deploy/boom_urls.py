"""The app's URLs plus one view that fails, to see what a 500 shows and logs in production."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns

# What a failing query might quote: a member's name and CIN. It must reach neither the page nor the log.
PHI_IN_MESSAGE = "Maria Lopez-Garcia 91234567A"


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"duplicate key value: (cin)=({PHI_IN_MESSAGE})")


urlpatterns = [path("boom/", boom), *app_urlpatterns]
