"""Care plans with goals and interventions, care team, tasks and outreach attempts around an ECM member."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
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


MAX_OUTREACH_MINUTES = 24 * 60  # one attempt is recorded per day it happened


class OutreachAttempt(DomainModel):
    """One individualized attempt to reach a prospective ECM member, counted reached or not (DHCS/OTF)."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="outreach_attempts")
    enrollment = models.ForeignKey("ecm.Enrollment", on_delete=models.PROTECT, related_name="outreach_attempts")
    organization = models.ForeignKey("network.Organization", on_delete=models.PROTECT, related_name="+")
    attempted_on = models.DateField()
    method = models.CharField(max_length=20, choices=OutreachMethod.choices)
    reached = models.BooleanField()
    minutes_spent = models.PositiveIntegerField(validators=[MaxValueValidator(MAX_OUTREACH_MINUTES)])
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    # Recorded in calaim's pages or API, or reported in an Outreach Tracker File (then `source_ref` is the load's id).
    source = models.CharField(
        max_length=10, choices=[("calaim", "Recorded in calaim"), ("otf", "Outreach Tracker File")], default="calaim"
    )
    source_ref = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-attempted_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes_spent__lte=MAX_OUTREACH_MINUTES), name="outreach_minutes_bounded"
            )
        ]


class CarePlan(DomainModel):
    """The member's person-centred ECM care plan, one per ECM enrollment, owned by the enrollment's provider.

    It can change only while that enrollment is active; afterwards it is history.
    """

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="care_plans")
    enrollment = models.OneToOneField("ecm.Enrollment", on_delete=models.PROTECT, related_name="care_plan")
    organization = models.ForeignKey("network.Organization", on_delete=models.PROTECT, related_name="care_plans")
    summary = models.TextField(blank=True, help_text="The member's priorities and strengths, in brief.")
    version = models.PositiveIntegerField(default=1, help_text="Goes up by one at each review.")
    last_reviewed_on = models.DateField()
    next_review_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Care plan v{self.version} for {self.member}"


class GoalDomain(models.TextChoices):
    PHYSICAL_HEALTH = "physical_health", "Physical health"
    BEHAVIORAL_HEALTH = "behavioral_health", "Behavioral health"
    HOUSING = "housing", "Housing"
    FOOD = "food", "Food"
    SOCIAL = "social", "Social and family"
    OTHER = "other", "Other"


class GoalStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"
    DISCONTINUED = "discontinued", "Discontinued"


class Goal(DomainModel):
    """A person-centred goal, written in the member's own words."""

    care_plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="goals")
    description = models.TextField(help_text="The goal in the member's own words.")
    domain = models.CharField(max_length=30, choices=GoalDomain.choices)
    target_date = models.DateField()
    status = models.CharField(max_length=20, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    met_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.description[:80]


class InterventionStatus(models.TextChoices):
    """FHIR CarePlan activity status names."""

    NOT_STARTED = "not-started", "Not started"
    IN_PROGRESS = "in-progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Intervention(DomainModel):
    """What will be done towards a goal, and who is responsible: a care team member, a staff user or a name."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="interventions")
    description = models.TextField()
    responsible_care_team_member = models.ForeignKey(
        CareTeamMember, null=True, blank=True, on_delete=models.PROTECT, related_name="interventions"
    )
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="interventions"
    )
    responsible_name = models.CharField(max_length=200, blank=True)
    due_date = models.DateField(null=True, blank=True)
    frequency = models.CharField(max_length=100, blank=True, help_text="For example: weekly, every month.")
    status = models.CharField(max_length=20, choices=InterventionStatus.choices, default=InterventionStatus.NOT_STARTED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def responsible(self) -> str:
        """Who is responsible, as a person would say it."""
        if self.responsible_care_team_member is not None:
            person = self.responsible_care_team_member
            return f"{person.name} ({person.get_role_display()})"
        if self.responsible_user is not None:
            return self.responsible_user.get_full_name() or self.responsible_user.get_username()
        return self.responsible_name
