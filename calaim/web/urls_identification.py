"""Web routes for a plan's data analysts' identification runs; calaim.web.urls joins them under the "web" namespace."""

from django.urls import URLPattern, path

from calaim.web.views import identification

urlpatterns: list[URLPattern] = [
    path("data/identification/", identification.runs, name="identification_runs"),
    path("data/identification/<uuid:run_id>/", identification.run_detail, name="identification_run"),
    path("data/identification/<uuid:run_id>/status/", identification.run_status, name="identification_run_status"),
    path("data/identification/<uuid:run_id>/load/", identification.run_load, name="identification_run_load"),
    path(
        "data/identification/<uuid:run_id>/candidates.csv",
        identification.run_file,
        {"kind": "candidates"},
        name="identification_run_candidates",
    ),
    path(
        "data/identification/<uuid:run_id>/exclusions.csv",
        identification.run_file,
        {"kind": "exclusions"},
        name="identification_run_exclusions",
    ),
]
