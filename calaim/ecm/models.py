"""ECM eligibility determinations and the member's ECM enrollment with an ECM provider."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from calaim.core.models import DomainModel


class EligibilityOutcome(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    EXCLUDED = "excluded", "Excluded (in a program that ECM may not duplicate)"
    ROUTED_TO_DELEGATE = "routed_to_delegate", "Routed to the delegated entity"


class EligibilityDetermination(DomainModel):
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="eligibility_determinations")
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="determinations"
    )
    determined_on = models.DateField()
    determined_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=30, choices=EligibilityOutcome.choices)
    qualified_pofs = models.JSONField(default=list)
    explanation = models.JSONField(default=dict)
    other_supports = models.JSONField(default=list)
    rule_version = models.CharField(max_length=40)

    class Meta:
        ordering = ["-determined_on", "-created_at"]


class EnrollmentStatus(models.TextChoices):
    ASSIGNED = "assigned", "Assigned; outreach under way"
    ENROLLED = "enrolled", "Enrolled"
    DECLINED = "declined", "Declined before enrolling"
    DISENROLLED = "disenrolled", "Disenrolled"
    TRANSFERRED = "transferred", "Moved to another ECM provider"


ACTIVE_ENROLLMENT_STATUSES = (EnrollmentStatus.ASSIGNED, EnrollmentStatus.ENROLLED)


class AssignmentMethod(models.TextChoices):
    MEMBER_CHOICE = "member_choice", "Member's choice"
    AUTOMATIC = "automatic", "Automatic"
    PRESUMPTIVE = "presumptive", "Identifying ECM provider (presumptive authorization)"


class Enrollment(DomainModel):
    """One episode of a member with one ECM provider, from assignment to its end."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="ecm_enrollments")
    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="enrollments")
    authorization = models.ForeignKey(
        "authorizations.AuthorizationRequest", on_delete=models.PROTECT, related_name="enrollments"
    )
    provider = models.ForeignKey("network.Organization", on_delete=models.PROTECT, related_name="ecm_enrollments")
    status = models.CharField(max_length=20, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ASSIGNED)
    assignment_method = models.CharField(max_length=20, choices=AssignmentMethod.choices)
    assignment_reasons = models.JSONField(default=list)
    assigned_at = models.DateTimeField()
    enrolled_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    discontinuation_reason = models.CharField(max_length=40, blank=True)
    discontinuation_note = models.TextField(blank=True)
    # What the member was offered when ECM ended, as the reason's edition listed then (the letter says the same).
    other_supports_offered = models.JSONField(default=list, blank=True)
    lead_care_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="lcm_enrollments"
    )
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_enrollment"
    )

    class Meta:
        ordering = ["-assigned_at"]
        indexes = [models.Index(fields=["provider", "status"]), models.Index(fields=["member", "status"])]

    def __str__(self) -> str:
        return f"ECM {self.member_id} with {self.provider_id} ({self.status})"


class CareManagerLanguages(DomainModel):
    """The languages a provider's care manager speaks, recorded by their supervisor to match members with a
    Lead Care Manager who speaks their language."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ecm_languages")
    languages = models.JSONField(default=list, help_text='ISO 639 codes, e.g. ["en", "es"].')

    def __str__(self) -> str:
        return f"Languages of {self.user_id}"
