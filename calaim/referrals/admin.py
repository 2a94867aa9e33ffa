from django.contrib import admin

from calaim.referrals.models import Referral, ReferralStatusUpdate


class StatusInline(admin.TabularInline):
    model = ReferralStatusUpdate
    extra = 0
    readonly_fields = ("status", "at", "reason")


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ("id", "member", "source_type", "form", "status", "received_at")
    list_filter = ("status", "source_type", "form")
    search_fields = ("member__cin", "referrer_name")
    raw_id_fields = ("member", "submitted_by", "referrer_organization", "linked_to")
    inlines = [StatusInline]
