"""Web routes for the plan dashboard; calaim.web.urls joins them under the "web" namespace."""

from django.urls import URLPattern, path

from calaim.web.views import dashboard

urlpatterns: list[URLPattern] = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/funnel.csv", dashboard.funnel_csv, name="dashboard_funnel_csv"),
]
