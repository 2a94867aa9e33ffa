"""URL routes: the staff web app, the admin, the JSON API and its docs."""

from django.contrib import admin
from django.urls import include, path

from config.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("calaim.web.urls")),
]
