"""Care team, tasks and outreach attempts around an ECM member."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from calaim.core.models import DomainModel


class CareTeamRole(models.TextChoices):
    PCP = "pcp", "Primary care provider"
    SPECIALIST = "specialist", "Specialist"
    BEHAVIORAL_HEALTH = "behavioral_health", "Behavioral health provider"
    PHARMACIST = "pharmacist", "Pharmacist"
    CASE_MANAGER = "case_manager", "Case manager"
    SOCIAL_SERVICES = "social_services", "Social services"
    FAMILY_CAREGIVER = "family_caregiver", "Family member or caregiver"
    OTHER = "other", "Other"


class CareTeamMember(DomainModel):
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="care_team")
    role = models.CharField(max_length=30, choices=CareTeamRole.choices)
    name = models.CharField(max_length=200)
    organization_name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["role", "name"]


class TaskStatus(models.TextChoices):
    """FHIR Task status names."""

    REQUESTED = "requested", "Requested"
    IN_PROGRESS = "in-progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_TASK_STATUSES = (TaskStatus.REQUESTED, TaskStatus.IN_PROGRESS)


class TaskKind(models.TextChoices):
    WELCOME_CALL = "welcome_call", "Welcome call to the new ECM member"
    OUTREACH = "outreach", "Outreach"
    ASSESSMENT = "assessment", "Comprehensive assessment"
    APPOINTMENT = "appointment", "Appointment"
    MEDICATION_REVIEW = "medication_review", "Medication review or refill"
    TRANSPORTATION = "transportation", "Transportation (NEMT/NMT)"
    COMMUNITY_REFERRAL = "community_referral", "Community referral"
    DISCHARGE_FOLLOW_UP = "discharge_follow_up", "Follow-up after hospital discharge"
    OTHER = "other", "Other"


class Task(DomainModel):
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="tasks")
    enrollment = models.ForeignKey(
        "ecm.Enrollment", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    organization = models.ForeignKey("network.Organization", on_delete=models.PROTECT, related_name="tasks")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    kind = models.CharField(max_length=30, choices=TaskKind.choices)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=TaskStatus.choices, default=TaskStatus.REQUESTED)
    due_date = models.DateField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date"]
        indexes = [models.Index(fields=["organization", "status", "due_date"])]


class OutreachMethod(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Telephone"
    VIDEO = "video", "Video"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    MAIL = "mail", "Mail"
    OTHER_ELECTRONIC = "other_electronic", "Other electronic"


class OutreachAttempt(DomainModel):
    """One individualized attempt to reach a prospective ECM member, counted reached or not (DHCS/OTF)."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="outreach_attempts")
    enrollment = models.ForeignKey("ecm.Enrollment", on_delete=models.PROTECT, related_name="outreach_attempts")
    organization = models.ForeignKey("network.Organization", on_delete=models.PROTECT, related_name="+")
    attempted_on = models.DateField()
    method = models.CharField(max_length=20, choices=OutreachMethod.choices)
    reached = models.BooleanField()
    minutes_spent = models.PositiveIntegerField()
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-attempted_on", "-created_at"]
