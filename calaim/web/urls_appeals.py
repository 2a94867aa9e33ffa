"""Routes of the appeals and grievances pages."""

from django.urls import path

from calaim.web.views import appeals, appeals_grievances

urlpatterns = [
    path("appeals/", appeals.worklist, name="appeals"),
    path("appeals/new/", appeals.appeal_create, name="appeal_create"),
    path("appeals/<uuid:appeal_id>/", appeals.appeal_detail, name="appeal"),
    path("appeals/<uuid:appeal_id>/extend/", appeals.appeal_extend_view, name="appeal_extend"),
    path("appeals/<uuid:appeal_id>/resolve/", appeals.appeal_resolve_view, name="appeal_resolve"),
    path("appeals/<uuid:appeal_id>/withdraw/", appeals.appeal_withdraw_view, name="appeal_withdraw"),
    path("grievances/new/", appeals_grievances.grievance_create, name="grievance_create"),
    path("grievances/<uuid:grievance_id>/", appeals_grievances.grievance_detail, name="grievance"),
    path(
        "grievances/<uuid:grievance_id>/resolve/", appeals_grievances.grievance_resolve_view, name="grievance_resolve"
    ),
    path("members/<uuid:member_id>/appeals/", appeals_grievances.member_appeals, name="member_appeals"),
]
