"""Web routes for one area of the staff app; calaim.web.urls joins them under the "web" namespace."""

from django.urls import URLPattern, path

from calaim.web.views import ecm_actions, referrals, supervisor_worklist, um_decision

urlpatterns: list[URLPattern] = [
    path("referrals/new/", referrals.referral_create_view, name="referral_create"),
    path("referrals/<uuid:referral_id>/", referrals.referral_detail, name="referral"),
    path("referrals/<uuid:referral_id>/duplicate/", referrals.referral_duplicate, name="referral_duplicate"),
    path(
        "referrals/<uuid:referral_id>/eligibility/",
        ecm_actions.eligibility_determine_view,
        name="eligibility_determine",
    ),
    path("referrals/<uuid:referral_id>/assignment/", ecm_actions.assignment, name="assignment"),
    path("enrollments/<uuid:enrollment_id>/enroll/", ecm_actions.enroll, name="enroll"),
    path("enrollments/<uuid:enrollment_id>/provider-change/", ecm_actions.provider_change, name="provider_change"),
    path(
        "care-managers/<str:username>/languages/",
        supervisor_worklist.care_manager_languages,
        name="care_manager_languages",
    ),
    path("authorizations/<uuid:authorization_id>/extension/", um_decision.extension, name="extension"),
    path(
        "authorizations/<uuid:authorization_id>/reauthorization/",
        um_decision.reauthorization,
        name="reauthorization",
    ),
]
