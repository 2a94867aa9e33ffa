"""Authorization requests with their regulatory clocks, decisions and Notices of Action."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from calaim.authorizations.clocks import is_decided_late
from calaim.core.models import DomainModel


class AuthorizationStatus(models.TextChoices):
    PENDING = "pending", "Pending decision"
    PENDED = "pended", "Pended for information"
    APPROVED = "approved", "Approved"
    APPROVED_MODIFIED = "approved_modified", "Approved as modified"
    DENIED = "denied", "Denied"


UNDECIDED = (AuthorizationStatus.PENDING, AuthorizationStatus.PENDED)
APPROVED = (AuthorizationStatus.APPROVED, AuthorizationStatus.APPROVED_MODIFIED)


class AuthorizationKind(models.TextChoices):
    INITIAL = "initial", "Initial"
    PRESUMPTIVE = "presumptive", "Presumptive (ECM provider verification)"
    REAUTHORIZATION = "reauthorization", "Re-authorization"


class AuthorizationRequest(DomainModel):
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="authorizations")
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="authorizations"
    )
    program = models.CharField(max_length=10, default="ecm")
    kind = models.CharField(max_length=20, choices=AuthorizationKind.choices, default=AuthorizationKind.INITIAL)
    urgency = models.CharField(max_length=10, default="routine")
    requesting_organization = models.ForeignKey(
        "network.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)
    ceiling_at = models.DateTimeField(help_text="The latest the decision may ever be made.")
    extended_at = models.DateTimeField(null=True, blank=True)
    # When the clock sweep first found the request undecided past its due time; kept after a late decision (a
    # timeliness record). An extension is only granted before the due time, so it never has one to clear.
    overdue_at = models.DateTimeField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=AuthorizationStatus.choices, default=AuthorizationStatus.PENDING)
    information_requested = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    criteria_used = models.TextField(blank=True)
    modification = models.TextField(blank=True, help_text="What was changed when approved as modified.")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    renews = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewals")
    settings_version = models.CharField(max_length=40)

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.kind} authorization {self.id} ({self.status})"

    @property
    def decided_late(self) -> bool:
        """A reviewer decided after the due time (`clocks.is_decided_late`)."""
        return is_decided_late(self.decided_at, self.due_at, self.decided_by_id)

    @property
    def deemed_denied(self) -> bool:
        """Denied by operation of law: by no one, at the moment its time ran out (calaim.authorizations.timeliness)."""
        return (
            self.status == AuthorizationStatus.DENIED
            and self.decided_by_id is None
            and self.decided_at == self.ceiling_at
        )


class NoticeOfAction(DomainModel):
    """The written notice of an adverse benefit determination, with the member's appeal rights."""

    authorization = models.OneToOneField(
        AuthorizationRequest, on_delete=models.PROTECT, related_name="notice_of_action"
    )
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="notices_of_action")
    determination = models.CharField(max_length=30)
    reason = models.TextField()
    criteria = models.TextField()
    appeal_rights = models.TextField()
    appeal_deadline = models.DateField()
    issued_at = models.DateTimeField()
    language = models.CharField(max_length=5, default="en")

    def __str__(self) -> str:
        return f"NOA {self.id} ({self.determination})"
