"""Routes of the documents attached to records; calaim.web.urls joins them under the "web" namespace."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
