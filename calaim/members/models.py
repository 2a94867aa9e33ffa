"""Medi-Cal members of a plan: identity, contact, enrollment spans and the program facts ECM needs."""

from __future__ import annotations

import datetime as dt

from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Upper

from calaim.core.models import DomainModel

CIN_PATTERN = r"^[0-9]{8}[A-Z]$"
cin_validator = RegexValidator(CIN_PATTERN, "A CIN is 8 digits then one upper-case letter, e.g. 91234567A.")


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    NONBINARY = "X", "Non-binary"
    UNKNOWN = "U", "Unknown"


class RaceEthnicity(models.TextChoices):
    BLACK = "black", "Black or African American"
    AIAN = "aian", "American Indian or Alaska Native"
    PACIFIC_ISLANDER = "pacific_islander", "Native Hawaiian or Pacific Islander"
    ASIAN = "asian", "Asian"
    WHITE = "white", "White"
    HISPANIC = "hispanic", "Hispanic or Latino"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class FosterCare(models.TextChoices):
    CURRENT = "current", "Currently in foster care"
    FORMER = "former", "Formerly in foster care"


class Member(DomainModel):
    cin = models.CharField("CIN", max_length=9, unique=True, validators=[cin_validator])
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    race_ethnicity = models.CharField(max_length=20, choices=RaceEthnicity.choices, default=RaceEthnicity.UNKNOWN)
    language = models.CharField(max_length=5, default="en", help_text="Preferred language, ISO 639-1.")
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +12095550100.")
    address_line = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    experiencing_homelessness = models.BooleanField(default=False)
    county = models.ForeignKey("plans.County", on_delete=models.PROTECT, related_name="members")
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="members")
    delegated_to = models.ForeignKey(
        "network.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delegated_members",
        help_text="Set when the plan delegates this member's care, e.g. to Kaiser.",
    )
    dsnp = models.BooleanField("D-SNP", default=False)
    pcp_organization = models.ForeignKey(
        "network.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="pcp_members"
    )
    pcp_name = models.CharField(max_length=200, blank=True)
    behavioral_health_organization = models.ForeignKey(
        "network.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="bh_members"
    )
    behavioral_health_provider_name = models.CharField(max_length=200, blank=True)
    release_date = models.DateField(null=True, blank=True, help_text="Latest release from incarceration.")
    ccs_enrolled = models.BooleanField("CCS/WCM enrolled", default=False)
    foster_care = models.CharField(max_length=10, choices=FosterCare.choices, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["plan", "last_name", "first_name"]),
            models.Index(fields=["birth_date"]),
            # Name search compares upper-cased names by range within the caller's plan and reads the matches in
            # this order, so a page of a common surname is read straight off the index, and counted from it
            # (calaim.members.selectors.member_search_in).
            models.Index(
                "plan", Upper("last_name"), Upper("first_name"), "cin", name="member_name_order_idx"
            ),
            models.Index(
                "plan", Upper("first_name"), Upper("last_name"), "cin", name="member_first_name_order_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name} ({self.cin})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: dt.date) -> int:
        """Whole years on `day`; a 29 February birthday counts from 1 March in other years."""
        had_birthday = (day.month, day.day) >= (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - (0 if had_birthday else 1)


class EnrollmentSpan(models.Model):
    """A period of plan enrollment; an open end means still enrolled."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="enrollment_spans")
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["member", "start_date"]

    def __str__(self) -> str:
        return f"{self.member_id} {self.start_date}–{self.end_date or 'open'}"

    def covers(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class MemberProgram(models.Model):
    """A program the member is in that excludes ECM at the same time (hospice, PACE, waivers...)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="programs")
    program_code = models.CharField(max_length=20)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["member", "start_date"]

    def __str__(self) -> str:
        return f"{self.member_id} {self.program_code}"

    def covers(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)
