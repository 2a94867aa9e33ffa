"""URL routes: the staff web app, the admin, the JSON API and its docs, and the health check."""

from django.contrib import admin
from django.urls import include, path

from calaim.web.views.health import healthz
from config.api import api

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    # The plans' public pages: no sign-in, no member data.
    path("public/", include("calaim.public.urls")),
    path("", include("calaim.web.urls")),
]
