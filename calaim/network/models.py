"""Organizations in the plan's network and their contracts (counties, POFs, languages, capacity)."""

from __future__ import annotations

from django.db import models

from calaim.core.models import DomainModel


class OrganizationKind(models.TextChoices):
    PLAN = "plan", "Health plan"
    ECM_PROVIDER = "ecm_provider", "ECM provider"
    CS_PROVIDER = "cs_provider", "Community Supports provider"
    PCP_CLINIC = "pcp_clinic", "Primary care clinic"
    BEHAVIORAL_HEALTH = "behavioral_health", "Behavioral health provider"
    CBO = "cbo", "Community-based organization"
    HOSPITAL = "hospital", "Hospital or facility"
    DELEGATE = "delegate", "Delegated entity (e.g. Kaiser)"


class Organization(DomainModel):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=OrganizationKind.choices)
    # Short stable code for delegates and file exchange, e.g. KAISER.
    code = models.CharField(max_length=40, blank=True, db_index=True)
    plan = models.ForeignKey(
        "plans.Plan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_organizations",
        help_text="Set only for the plan's own organization.",
    )
    npi = models.CharField(max_length=10, blank=True)
    tin = models.CharField(max_length=9, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    county = models.ForeignKey("plans.County", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # An organization can also be affiliated with an ECM provider (a clinic inside a provider group).
    ecm_affiliate = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="affiliated_organizations"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Program(models.TextChoices):
    ECM = "ecm", "Enhanced Care Management"
    CS = "cs", "Community Supports"


class Contract(DomainModel):
    """A provider's contract with a plan: where, for whom, in which languages and how many members."""

    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="contracts")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="contracts")
    program = models.CharField(max_length=10, choices=Program.choices, default=Program.ECM)
    counties = models.ManyToManyField("plans.County", related_name="contracts")
    pof_codes = models.JSONField(default=list, help_text='POF codes served, e.g. ["A1", "A3"].')
    languages = models.JSONField(default=list, help_text='ISO 639-1 codes, e.g. ["en", "es"].')
    services = models.JSONField(default=list, blank=True, help_text="Community Supports service codes (CS contracts).")
    capacity = models.PositiveIntegerField(help_text="Members the provider can serve at once.")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["plan__code", "organization__name"]

    def __str__(self) -> str:
        return f"{self.organization} ({self.program}) with {self.plan}"
