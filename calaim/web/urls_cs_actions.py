"""Web routes for Community Supports actions; calaim.web.urls joins them under the "web" namespace."""

from django.urls import URLPattern, path

from calaim.web.views import cs_actions

urlpatterns: list[URLPattern] = [
    path("community-supports/requests/new/", cs_actions.cs_request_create_view, name="cs_request_create"),
    path("community-supports/requests/new/checklist/", cs_actions.cs_service_checklist, name="cs_service_checklist"),
    path("community-supports/requests/submitted/", cs_actions.cs_requests_submitted, name="cs_requests_submitted"),
    path("community-supports/requests/<uuid:request_id>/", cs_actions.cs_request_detail, name="cs_request"),
    path(
        "community-supports/requests/<uuid:request_id>/deliveries/new/",
        cs_actions.cs_delivery_create,
        name="cs_delivery_create",
    ),
    path("community-supports/requests/<uuid:request_id>/close/", cs_actions.cs_request_close, name="cs_request_close"),
    path(
        "members/<uuid:member_id>/delegate-reassignment/",
        cs_actions.delegate_reassign_view,
        name="delegate_reassign",
    ),
]
