"""Appeals of Notices of Action and grievances, with their clocks (calaim/appeals/reference/appeals.yaml)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from calaim.core.models import DomainModel


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    MAIL = "mail", "Mail"
    IN_PERSON = "in_person", "In person"
    PORTAL = "portal", "Member portal"


class OnBehalf(models.TextChoices):
    MEMBER = "member", "The member (through member services)"
    PROVIDER = "provider", "A provider on the member's behalf"


class AppealStatus(models.TextChoices):
    # Recorded; filing acknowledges at once (the acknowledgment letter is queued in the same transaction), so an
    # appeal is seen as received only if its acknowledgment could not be issued.
    RECEIVED = "received", "Received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    EXTENDED = "extended", "Extended"
    RESOLVED = "resolved", "Resolved"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_APPEAL = (AppealStatus.RECEIVED, AppealStatus.ACKNOWLEDGED, AppealStatus.EXTENDED)


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", "Upheld (the decision stands)"
    OVERTURNED = "overturned", "Overturned (the service is authorized)"


class Appeal(DomainModel):
    """A member's plan appeal of one Notice of Action, with its resolution clock and outcome."""

    reference = models.CharField(max_length=20, unique=True, help_text="The number the member is given.")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="appeals")
    notice_of_action = models.ForeignKey(
        "authorizations.NoticeOfAction", on_delete=models.PROTECT, related_name="appeals"
    )
    authorization = models.ForeignKey(
        "authorizations.AuthorizationRequest", on_delete=models.PROTECT, related_name="appeals"
    )
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_behalf = models.CharField(max_length=10, choices=OnBehalf.choices, default=OnBehalf.MEMBER)
    provider_organization = models.ForeignKey(
        "network.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    description = models.TextField(blank=True, help_text="Why the member disagrees, in their words.")
    received_at = models.DateTimeField()
    expedited = models.BooleanField(default=False)
    late = models.BooleanField(default=False, help_text="Received after the filing window: accepted, recorded late.")
    aid_paid_pending_requested = models.BooleanField(default=False)
    aid_paid_pending_timely = models.BooleanField(null=True, blank=True)
    status = models.CharField(max_length=15, choices=AppealStatus.choices, default=AppealStatus.RECEIVED)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField()
    extended_at = models.DateTimeField(null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    outcome = models.CharField(max_length=12, choices=AppealOutcome.choices, blank=True)
    resolution_reason = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hearing_deadline = models.DateField(null=True, blank=True, help_text="Last day to ask for a State Fair Hearing.")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    rules_version = models.CharField(max_length=20)
    # When the coordinators were told the resolution is due within a day; cleared by an extension.
    due_soon_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-expedited", "resolution_due_at"]
        indexes = [models.Index(fields=["status", "expedited", "resolution_due_at"], name="appeal_open_due_idx")]
        constraints = [
            # One plan appeal of a notice (a withdrawn one may be filed again); after it, the State Fair Hearing.
            models.UniqueConstraint(
                fields=["notice_of_action"],
                condition=~models.Q(status="withdrawn"),
                name="appeal_one_per_notice",
            )
        ]

    def __str__(self) -> str:
        return f"Appeal {self.reference} ({self.status})"


class GrievanceStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


OPEN_GRIEVANCE = (GrievanceStatus.RECEIVED, GrievanceStatus.ACKNOWLEDGED)


class Grievance(DomainModel):
    """A member's expression of dissatisfaction other than an appeal of a decision, with its resolution clock."""

    reference = models.CharField(max_length=20, unique=True, help_text="The number the member is given.")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="grievances")
    category = models.CharField(max_length=40, help_text="A category code of appeals.yaml in force on receipt.")
    description = models.TextField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField()
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expedited = models.BooleanField(default=False)
    status = models.CharField(max_length=15, choices=GrievanceStatus.choices, default=GrievanceStatus.RECEIVED)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField()
    resolution = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authorization = models.ForeignKey(
        "authorizations.AuthorizationRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cs_request = models.ForeignKey(
        "community_supports.CsRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rules_version = models.CharField(max_length=20)
    due_soon_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-expedited", "resolution_due_at"]
        indexes = [models.Index(fields=["status", "expedited", "resolution_due_at"], name="grievance_open_due_idx")]

    def __str__(self) -> str:
        return f"Grievance {self.reference} ({self.status})"
