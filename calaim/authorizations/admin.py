from django.contrib import admin

from calaim.authorizations.models import AuthorizationRequest, NoticeOfAction


@admin.register(AuthorizationRequest)
class AuthorizationRequestAdmin(admin.ModelAdmin):
    list_display = ("id", "member", "kind", "urgency", "status", "received_at", "due_at", "period_end")
    list_filter = ("status", "kind", "urgency")
    raw_id_fields = ("member", "referral", "decided_by", "renews", "requesting_organization")


@admin.register(NoticeOfAction)
class NoticeOfActionAdmin(admin.ModelAdmin):
    list_display = ("id", "member", "determination", "issued_at", "appeal_deadline")
    raw_id_fields = ("member", "authorization")
