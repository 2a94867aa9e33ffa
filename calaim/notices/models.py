"""Tracked notices: letters to members and closed-loop notifications to referrers."""

from __future__ import annotations

from django.db import models

from calaim.core.models import DomainModel


class NoticeKind(models.TextChoices):
    ECM_ENROLLMENT_LETTER = "ecm_enrollment_letter", "ECM notification letter to the member"
    ECM_ASSIGNMENT_LETTER = "ecm_assignment_letter", "ECM provider assignment notice to the member"
    NOTICE_OF_ACTION = "notice_of_action", "Notice of Action"
    ECM_DISENROLLMENT_LETTER = "ecm_disenrollment_letter", "ECM discontinuation letter to the member"
    REFERRER_OUTCOME = "referrer_outcome", "Referral outcome to the referrer"


class NoticeRecipient(models.TextChoices):
    MEMBER = "member", "Member"
    REFERRER = "referrer", "Referrer"
    PROVIDER = "provider", "Provider"


class NoticeStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled"


class Notice(DomainModel):
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=40, choices=NoticeKind.choices)
    recipient = models.CharField(max_length=20, choices=NoticeRecipient.choices)
    recipient_name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=5, default="en")
    status = models.CharField(max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.PLANNED)
    due_date = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    content = models.JSONField(default=dict)

    class Meta:
        ordering = ["due_date"]
