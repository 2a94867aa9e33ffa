"""Notices owed and what became of them: member letters (PDF, mailed in a day's batch, returned mail), and the
electronic notifications (email and the in-app inbox) that tell referrers and staff what happened."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from calaim.core.models import DomainModel


class NoticeKind(models.TextChoices):
    ECM_ENROLLMENT_LETTER = "ecm_enrollment_letter", "ECM notification letter to the member"
    ECM_ASSIGNMENT_LETTER = "ecm_assignment_letter", "ECM provider assignment notice to the member"
    ECM_PROVIDER_CHANGE_LETTER = "ecm_provider_change_letter", "ECM provider change notice to the member"
    NOTICE_OF_ACTION = "notice_of_action", "Notice of Action"
    AUTHORIZATION_EXTENSION_LETTER = "authorization_extension_letter", "Notice of an extended decision time"
    ECM_DISENROLLMENT_LETTER = "ecm_disenrollment_letter", "ECM discontinuation letter to the member"
    CS_AUTHORIZATION_LETTER = "cs_authorization_letter", "Community Supports authorization notice to the member"
    APPEAL_ACKNOWLEDGMENT = "appeal_acknowledgment", "Appeal acknowledgment letter"
    APPEAL_EXTENSION_LETTER = "appeal_extension_letter", "Appeal extension notice"
    APPEAL_RESOLUTION = "appeal_resolution", "Appeal resolution letter"
    GRIEVANCE_ACKNOWLEDGMENT = "grievance_acknowledgment", "Grievance acknowledgment letter"
    GRIEVANCE_RESOLUTION = "grievance_resolution", "Grievance resolution letter"
    REFERRER_OUTCOME = "referrer_outcome", "Referral outcome to the referrer"


class NoticeRecipient(models.TextChoices):
    MEMBER = "member", "Member"
    REFERRER = "referrer", "Referrer"
    PROVIDER = "provider", "Provider"


class NoticeStatus(models.TextChoices):
    # Owed: recorded in the transaction of the change that owes it.
    PLANNED = "planned", "Planned"
    # A member letter whose PDF is made (immutable from here on), waiting for the day's mail batch.
    PRODUCED = "produced", "Produced, to be mailed"
    # Mailed in a batch (a letter), or emailed and put in the inbox (a notification).
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
    # A plain-text rendering kept for the record and for notices that are not letters (calaim.notices.mailroom).
    document = models.TextField(blank=True)
    mail_batch = models.ForeignKey(
        "notices.MailBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    returned_at = models.DateTimeField(null=True, blank=True, help_text="The mail came back undelivered.")
    return_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["due_date"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["status", "due_date"]),
        ]


class NoticeLetter(models.Model):
    """The PDF a member letter was produced as: immutable once made, kept with its hash and the data it was made
    from, so it can be reprinted byte for byte and shown to be what was mailed."""

    notice = models.OneToOneField(Notice, on_delete=models.PROTECT, related_name="letter", primary_key=True)
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    page_count = models.PositiveSmallIntegerField(default=1)
    template_key = models.CharField(max_length=60)
    template_version = models.CharField(max_length=20)
    # The language the letter is written in, and whether the member's own language was a threshold language.
    language = models.CharField(max_length=5)
    preferred_language = models.CharField(max_length=5)
    in_preferred_language = models.BooleanField(default=True)
    translation_reviewed = models.BooleanField(default=False)
    # Everything the template read: member name and address as of production, the notice's content, the plan's
    # contact details and rights text, the letter's date.
    data = models.JSONField(default=dict)
    produced_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Letter for notice {self.notice_id} ({self.language}, sha256 {self.sha256[:12]})"


class MailBatch(DomainModel):
    """One day's letters handed to the mail vendor: one PDF per letter plus manifest.csv."""

    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="mail_batches")
    mail_date = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    letter_count = models.PositiveIntegerField(default=0)
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    # Where the command wrote the files (empty for a batch made in the web app, fetched as a ZIP).
    out_dir = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-mail_date", "-created_at"]


class TranslationReview(models.Model):
    """A qualified translator's sign-off on one template version in one language; until it exists the
    translation is marked as awaiting review."""

    template_key = models.CharField(max_length=60)
    template_version = models.CharField(max_length=20)
    language = models.CharField(max_length=5)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer_name = models.CharField(max_length=200, help_text="The translator, as they sign.")
    reviewed_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["template_key", "template_version", "language"], name="translation_review_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template_key} v{self.template_version} ({self.language}) reviewed by {self.reviewer_name}"


class AddressFlag(DomainModel):
    """Mail to the member came back: member services checks the address (open until resolved)."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="address_flags")
    notice = models.ForeignKey(Notice, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)
    # Empty when the mail batch found no address while run by the system (the command without --as).
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["resolved_at", "created_at"])]


class Notification(DomainModel):
    """One electronic notification to one person: an inbox item for a user, an email to an address, or both.
    It carries no PHI: what happened, and a link to the page (behind sign-in) that says more."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    email = models.EmailField(blank=True)
    notice = models.ForeignKey(Notice, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications")
    event = models.CharField(max_length=60, help_text="What happened, e.g. referral.authorized.")
    message = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True, help_text="Path of the page, e.g. /referrals/<id>/.")
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["emailed_at", "created_at"])]
