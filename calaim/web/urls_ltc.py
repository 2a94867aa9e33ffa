"""Routes of the long-term care pages; calaim.web.urls joins them under the "web" namespace."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
