"""Referrals from every source, carrying the standardized referral form, with closed-loop status."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from calaim.core.models import DomainModel


class ReferralForm(models.TextChoices):
    ECM_ADULT = "ecm_adult", "ECM referral form (adult)"
    ECM_CHILD = "ecm_child", "ECM referral form (children/youth)"
    ELIGIBILITY_VERIFICATION = "eligibility_verification", "ECM eligibility verification form (ECM provider)"
    PLAN_IDENTIFICATION = "plan_identification", "Plan identification from member health records"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    EXPEDITED = "expedited", "Expedited"


class ReferralStatus(models.TextChoices):
    """Closed-loop referral status, as the referrer sees it."""

    RECEIVED = "received", "Received"
    LINKED = "linked", "Linked to the member's open referral"
    ROUTED_TO_DELEGATE = "routed_to_delegate", "Routed to the delegated entity"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    PENDING_AUTHORIZATION = "pending_authorization", "Eligible, authorization pending"
    AUTHORIZED = "authorized", "Authorized"
    DENIED = "denied", "Not authorized"
    ASSIGNED = "assigned", "Assigned to an ECM provider"
    ENROLLED = "enrolled", "Enrolled (services received)"
    DECLINED = "declined", "Member declined"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (
    ReferralStatus.RECEIVED,
    ReferralStatus.PENDING_AUTHORIZATION,
    ReferralStatus.AUTHORIZED,
    ReferralStatus.ASSIGNED,
    ReferralStatus.ENROLLED,
)


class Referral(DomainModel):
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="referrals")
    program = models.CharField(max_length=10, default="ecm")
    source_type = models.CharField(max_length=40, help_text="A ReferralSourceType code.")
    form = models.CharField(max_length=30, choices=ReferralForm.choices)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submitted_referrals"
    )
    referrer_organization = models.ForeignKey(
        "network.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_made"
    )
    referrer_name = models.CharField(max_length=200)
    referrer_role = models.CharField(max_length=100, blank=True)
    referrer_npi = models.CharField(max_length=10, blank=True)
    referrer_phone = models.CharField(max_length=20, blank=True)
    referrer_email = models.EmailField(blank=True)
    # Contact details as the referrer gave them; they may be newer than the plan's roster.
    member_phone = models.CharField(max_length=20, blank=True)
    member_address = models.CharField(max_length=300, blank=True)
    member_experiencing_homelessness = models.BooleanField(null=True, blank=True)
    # [{"pof": "A1", "criteria": ["homeless", "complex_need"], "facts": "Sleeping in car; CHF"}]
    pof_attestations = models.JSONField(default=list)
    member_aware = models.BooleanField(help_text="The member knows of this referral.")
    attested_by = models.CharField(max_length=200)
    attested_on = models.DateField()
    notes = models.TextField(blank=True)
    evidence = models.JSONField(default=dict, blank=True, help_text="Data behind a plan identification.")
    received_at = models.DateTimeField()
    status = models.CharField(max_length=30, choices=ReferralStatus.choices, default=ReferralStatus.RECEIVED)
    status_changed_at = models.DateTimeField()
    closure_reason = models.TextField(blank=True)
    linked_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="linked_referrals"
    )
    idempotency_key = models.CharField(max_length=100, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="referral_idempotency_uniq",
            )
        ]
        indexes = [models.Index(fields=["member", "status"]), models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return f"Referral {self.id} for {self.member_id} ({self.status})"


class ReferralStatusUpdate(models.Model):
    """The closed-loop history a referrer sees: each status with its date and reason."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="status_updates")
    status = models.CharField(max_length=30, choices=ReferralStatus.choices)
    at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.status} at {self.at:%Y-%m-%d %H:%M}"
