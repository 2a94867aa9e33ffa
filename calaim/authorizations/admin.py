"""Authorizations and Notices of Action: read-only here; they change only through the decision workflow."""

from django.contrib import admin

from calaim.authorizations.models import AuthorizationRequest, NoticeOfAction
from calaim.core.admin_audit import ReadOnlyAdmin


@admin.register(AuthorizationRequest)
class AuthorizationRequestAdmin(ReadOnlyAdmin):
    list_display = ("id", "member", "kind", "urgency", "status", "received_at", "due_at", "period_end")
    list_filter = ("status", "kind", "urgency")
    raw_id_fields = ("member", "referral", "decided_by", "renews", "requesting_organization")


@admin.register(NoticeOfAction)
class NoticeOfActionAdmin(ReadOnlyAdmin):
    list_display = ("id", "member", "determination", "issued_at", "appeal_deadline")
    raw_id_fields = ("member", "authorization")
