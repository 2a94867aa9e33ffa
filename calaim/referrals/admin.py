from django.contrib import admin

from calaim.referrals.models import LoopEvent, LoopTransition, LoopVocabulary, Referral

DATED = ("version", "effective_from", "effective_to")


class LoopEventInline(admin.TabularInline):
    """The closed loop is append-only history: shown, never edited here."""

    model = LoopEvent
    extra = 0
    can_delete = False
    fields = ("at", "status", "loop_status", "loop_closure_reason", "reason", "source", "actor_label")
    readonly_fields = fields

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ("id", "member", "source_type", "form", "status", "loop_status", "received_at")
    list_filter = ("status", "loop_status", "source_type", "form")
    search_fields = ("member__cin", "referrer_name")
    raw_id_fields = ("member", "submitted_by", "referrer_organization", "linked_to")
    inlines = [LoopEventInline]


@admin.register(LoopVocabulary)
class LoopVocabularyAdmin(admin.ModelAdmin):
    list_display = ("kind", "code", *DATED)
    list_filter = ("kind",)


@admin.register(LoopTransition)
class LoopTransitionAdmin(admin.ModelAdmin):
    list_display = (
        "program",
        "status",
        "cause",
        "loop_status",
        "loop_closure_reason",
        "notify_referrer",
        "member_notice",
        *DATED,
    )
    list_filter = ("program", "loop_status", "notify_referrer")
