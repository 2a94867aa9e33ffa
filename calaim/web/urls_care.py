"""Web routes for one area of the staff app; calaim.web.urls joins them under the "web" namespace."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
