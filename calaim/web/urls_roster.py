"""Web routes for the plan's roster loads (its data analysts; compliance reads); calaim.web.urls joins them under
the "web" namespace."""

from django.urls import URLPattern, path

from calaim.web.views import roster

urlpatterns: list[URLPattern] = [
    path("data/roster/", roster.loads, name="roster_loads"),
    path("data/roster/<uuid:load_id>/", roster.load, name="roster_load"),
    path("data/roster/<uuid:load_id>/status/", roster.load_status, name="roster_load_status"),
    path("data/roster/<uuid:load_id>/apply/", roster.apply, name="roster_load_apply"),
    path("data/roster/<uuid:load_id>/cancel/", roster.cancel, name="roster_load_cancel"),
    path("data/roster/<uuid:load_id>/rerun/", roster.rerun, name="roster_load_rerun"),
    path("data/roster/<uuid:load_id>/rejects.csv", roster.rejects, name="roster_load_rejects"),
]
