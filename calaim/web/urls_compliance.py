"""Web routes for plan compliance staff; calaim.web.urls joins them under the "web" namespace."""

from django.urls import URLPattern, path

from calaim.web.views import compliance

urlpatterns: list[URLPattern] = [
    path("compliance/phi-reads/", compliance.phi_log, name="phi_log"),
    path("compliance/phi-reads.csv", compliance.phi_log_csv, name="phi_log_csv"),
]
