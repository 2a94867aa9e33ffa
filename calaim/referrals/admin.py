"""Referrals and their closed loop are read-only here (the intake and the closed loop change them); the closed-loop
vocabulary and transition table are configuration, editable with every change audited."""

from django.contrib import admin

from calaim.core.admin_audit import AuditedAdmin, ReadOnlyAdmin, ReadOnlyInline
from calaim.referrals.models import LoopEvent, LoopTransition, LoopVocabulary, Referral

DATED = ("version", "effective_from", "effective_to")


class LoopEventInline(ReadOnlyInline):
    """The closed loop is append-only history: shown, never edited here."""

    model = LoopEvent
    fields = ("at", "status", "loop_status", "loop_closure_reason", "reason", "source", "actor_label")
    readonly_fields = fields


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ("id", "member", "source_type", "form", "status", "loop_status", "received_at")
    list_filter = ("status", "loop_status", "source_type", "form")
    search_fields = ("member__cin", "referrer_name")
    raw_id_fields = ("member", "submitted_by", "referrer_organization", "linked_to")
    inlines = [LoopEventInline]


@admin.register(LoopVocabulary)
class LoopVocabularyAdmin(AuditedAdmin):
    list_display = ("kind", "code", *DATED)
    list_filter = ("kind",)


@admin.register(LoopTransition)
class LoopTransitionAdmin(AuditedAdmin):
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
