from django.urls import path

from calaim.web import (
    urls_appeals,
    urls_care,
    urls_compliance,
    urls_cs_actions,
    urls_dashboard,
    urls_documents,
    urls_ecm_actions,
    urls_exchange,
    urls_identification,
    urls_inbox,
    urls_letters,
    urls_ltc,
    urls_notices,
    urls_reports,
    urls_roster,
)
from calaim.web.queues import queue_export
from calaim.web.views import auth, ecm_actions, members, roster_facts, um_decision, worklists

app_name = "web"

urlpatterns = [
    path("", worklists.home, name="home"),
    path("login/", auth.StaffLoginView.as_view(), name="login"),
    path("logout/", auth.logout, name="logout"),
    path("otp/setup/", auth.otp_setup, name="otp_setup"),
    path("otp/setup/qr.svg", auth.otp_qr, name="otp_qr"),
    path("otp/verify/", auth.otp_verify, name="otp_verify"),
    path("members/search/", worklists.member_search_results, name="member_search"),
    path("queues/<slug:name>.csv", queue_export, name="queue_export"),
    path("members/<uuid:member_id>/", members.member_record, name="member"),
    path("members/<uuid:member_id>/sections/<slug:section>/", members.member_section, name="member_section"),
    path("enrollments/<uuid:enrollment_id>/outreach/", ecm_actions.outreach_create, name="outreach_create"),
    path("enrollments/<uuid:enrollment_id>/disenroll/", ecm_actions.disenroll, name="disenroll"),
    path(
        "enrollments/<uuid:enrollment_id>/lead-care-manager/",
        ecm_actions.lead_care_manager_assign,
        name="lead_care_manager_assign",
    ),
    path("authorizations/<uuid:authorization_id>/decision/", um_decision.decision, name="decision"),
    path("roster-facts/<uuid:fact_id>/dismiss/", roster_facts.dismiss, name="roster_fact_dismiss"),
    *urls_care.urlpatterns,
    *urls_dashboard.urlpatterns,
    *urls_ecm_actions.urlpatterns,
    *urls_cs_actions.urlpatterns,
    *urls_compliance.urlpatterns,
    *urls_roster.urlpatterns,
    *urls_identification.urlpatterns,
    *urls_reports.urlpatterns,
    *urls_exchange.urlpatterns,
    *urls_notices.urlpatterns,
    *urls_inbox.urlpatterns,
    *urls_letters.urlpatterns,
    *urls_appeals.urlpatterns,
    *urls_documents.urlpatterns,
    *urls_ltc.urlpatterns,
]
