from django.contrib import admin

from calaim.notices.models import Notice


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("member", "kind", "recipient", "status", "due_date", "sent_at")
    list_filter = ("kind", "recipient", "status")
    raw_id_fields = ("member", "referral")
